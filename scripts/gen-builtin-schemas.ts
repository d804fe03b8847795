/**
 * Extracts the OpenAPI v3 schemas of the built-in kinds palisade emits from the Kubernetes source
 * (k8s.io/kubernetes@v<pin>/api/openapi-spec/v3, fetched through the Go module proxy) into
 * lib/schemas/builtin/kubernetes.json, descriptions removed. Run: npm run schemas
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { KUBERNETES_VERSION } from '../reconciler/controlplane/versions.js';

const KINDS: Record<string, string> = {
  'v1/Namespace': 'io.k8s.api.core.v1.Namespace',
  'v1/ResourceQuota': 'io.k8s.api.core.v1.ResourceQuota',
  'v1/ConfigMap': 'io.k8s.api.core.v1.ConfigMap',
  'networking.k8s.io/v1/NetworkPolicy': 'io.k8s.api.networking.v1.NetworkPolicy',
  'admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy': 'io.k8s.api.admissionregistration.v1.ValidatingAdmissionPolicy',
  'admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding': 'io.k8s.api.admissionregistration.v1.ValidatingAdmissionPolicyBinding',
  'node.k8s.io/v1/RuntimeClass': 'io.k8s.api.node.v1.RuntimeClass',
  'v1/ServiceAccount': 'io.k8s.api.core.v1.ServiceAccount',
  'v1/Service': 'io.k8s.api.core.v1.Service',
  'apps/v1/Deployment': 'io.k8s.api.apps.v1.Deployment',
  'rbac.authorization.k8s.io/v1/ClusterRole': 'io.k8s.api.rbac.v1.ClusterRole',
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': 'io.k8s.api.rbac.v1.ClusterRoleBinding',
  'rbac.authorization.k8s.io/v1/Role': 'io.k8s.api.rbac.v1.Role',
  'rbac.authorization.k8s.io/v1/RoleBinding': 'io.k8s.api.rbac.v1.RoleBinding',
};
const FILES = ['api__v1_openapi.json', 'apis__networking.k8s.io__v1_openapi.json', 'apis__admissionregistration.k8s.io__v1_openapi.json', 'apis__node.k8s.io__v1_openapi.json', 'apis__apps__v1_openapi.json', 'apis__rbac.authorization.k8s.io__v1_openapi.json'];

const modDir = execFileSync('go', ['mod', 'download', '-json', `k8s.io/kubernetes@v${KUBERNETES_VERSION}`], { encoding: 'utf8' });
const dir = join((JSON.parse(modDir) as { Dir: string }).Dir, 'api', 'openapi-spec', 'v3');
const all: Record<string, unknown> = {};
for (const f of FILES) Object.assign(all, (JSON.parse(readFileSync(join(dir, f), 'utf8')) as { components: { schemas: Record<string, unknown> } }).components.schemas);

const strip = (v: unknown): unknown => {
  if (Array.isArray(v)) return v.map(strip);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([k]) => k !== 'description').map(([k, x]) => [k, strip(x)]));
  return v;
};
const needed = new Map<string, unknown>();
const visit = (name: string): void => {
  if (needed.has(name)) return;
  const schema = all[name];
  if (!schema) throw new Error(`schema ${name} not found`);
  needed.set(name, strip(schema));
  for (const m of JSON.stringify(schema).matchAll(/#\/components\/schemas\/([\w.-]+)/g)) visit(m[1]!);
};
Object.values(KINDS).forEach(visit);
const out = { kubernetesVersion: KUBERNETES_VERSION, kinds: KINDS, components: { schemas: Object.fromEntries([...needed.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) } };
mkdirSync('lib/schemas/builtin', { recursive: true });
writeFileSync('lib/schemas/builtin/kubernetes.json', `${JSON.stringify(out, null, 1)}\n`);
console.log(`wrote ${needed.size} schemas for ${Object.keys(KINDS).length} kinds (Kubernetes ${KUBERNETES_VERSION})`);
