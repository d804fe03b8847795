/** Small, isolated policy sets for reconciler tests: unique namespaces and cluster name per test. */
import { randomBytes } from 'node:crypto';
import { Agent, DataStore, ExternalEndpoint, Port, synthesize, Tool, Zone, type PolicyDefinition } from '../../lib/index.js';
import { testCluster } from '../../lib/testing/index.js';
import { desiredFrom, type ClusterTarget } from '../../reconciler/source/desired.js';

export interface TargetOptions {
  /** Extra data stores (each adds a namespace-scoped ingress policy), to make sets larger. */
  readonly stores?: number;
  /** Leave out the tool (and its policies), as if removed from Git. */
  readonly withoutTool?: boolean;
}

export function smallDefinition(suffix: string, o: TargetOptions = {}): PolicyDefinition {
  return (scope) => {
    const zone = new Zone(scope, 'z');
    const agent = new Agent(scope, 'agent', { namespace: `agents-${suffix}`, zone, podLabels: { app: 'agent' } });
    if (!o.withoutTool) agent.allowTo(new Tool(scope, 'tool', { namespace: `tools-${suffix}`, zone, podLabels: { app: 'tool' }, ports: [Port.tcp(8080)] }));
    agent.allowTo(new ExternalEndpoint(scope, 'api', { host: 'api.example.com', cidrFallback: ['203.0.113.0/24'] }));
    for (let i = 0; i < (o.stores ?? 0); i++) agent.allowTo(new DataStore(scope, `store-${i}`, { namespace: `agents-${suffix}`, zone, podLabels: { app: `store-${i}` }, ports: [Port.tcp(5432)] }));
  };
}

/** Cluster-scoped admission objects have fixed names; tests sharing one API server leave them out. */
const SHARED_NAMES = new Set(['ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'ValidatingPolicy', 'ImageValidatingPolicy']);

export function smallTarget(suffix = randomBytes(3).toString('hex'), o: TargetOptions = {}, revision = 'rev-1'): ClusterTarget & { suffix: string } {
  const spec = testCluster({ name: `it-${suffix}` });
  const desired = desiredFrom(synthesize(smallDefinition(suffix, o), spec), revision);
  const objects = new Map([...desired.objects].filter(([, obj]) => !SHARED_NAMES.has(obj.kind)));
  return { suffix, spec, desired: { ...desired, objects, admissionPolicies: [], kyvernoPolicies: [] }, probes: [] };
}
