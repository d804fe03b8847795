import type { Construct } from 'constructs';
import { LABELS } from '../core/labels.js';
import type { GpuMode, SandboxModel, SandboxRuntime, SignatureRule } from '../model/model.js';
import type { ModelBuilder } from './model-builder.js';
import { PolicyConstruct } from './policy-construct.js';
import { isDnsLabel } from './values.js';

const nameProblem = (name: string): string[] => (isDnsLabel(name) ? [] : [`name "${name}" must be a DNS label`]);

/** An image-signature rule: a cosign public key, or keyless (Fulcio issuer and subject). */
export class Signature {
  public static key(publicKeyPem: string): Signature {
    return new Signature({ kind: 'key', publicKey: publicKeyPem.trim() });
  }

  public static keyless(issuer: string, subject: string): Signature {
    return new Signature({ kind: 'keyless', issuer, subject });
  }

  private constructor(public readonly rule: SignatureRule) {}
}

export interface RegistryAllowListProps {
  /** Image reference prefixes, each ending in `/`, e.g. `ghcr.io/acme/`. */
  readonly prefixes: readonly string[];
  /** Signature rules every image must satisfy (needs the `kyverno` admission backend). @default none */
  readonly signatures?: readonly Signature[];
  /** @default the construct id */
  readonly name?: string;
}

/** Registries agent images may come from, checked at admission for every container kind. */
export class RegistryAllowList extends PolicyConstruct {
  public readonly name: string;

  public constructor(scope: Construct, id: string, private readonly props: RegistryAllowListProps) {
    super(scope, id);
    this.name = props.name ?? id;
    this.check([
      ...nameProblem(this.name),
      ...(props.prefixes.length === 0 ? ['prefixes must not be empty'] : []),
      ...props.prefixes.filter((p) => !p.endsWith('/')).map((p) => `prefix "${p}" must end with "/" so "${p}evil/x" cannot match. Did you mean "${p}/"?`),
      ...(props.signatures ?? []).filter((s) => s.rule.kind === 'key' && !s.rule.publicKey.includes('BEGIN PUBLIC KEY')).map(() => 'Signature.key() needs a PEM public key (-----BEGIN PUBLIC KEY-----)'),
    ]);
  }

  /** @internal */
  public _contribute(b: ModelBuilder): void {
    b.registries.push({ name: this.name, prefixes: [...this.props.prefixes].sort(), signatures: (this.props.signatures ?? []).map((s) => s.rule), source: { path: this.node.path } });
  }
}

/** Sandbox runtimes palisade knows, with their CRI handler and defaults (targets.md §8). */
export const SANDBOX_DEFAULTS: Readonly<Record<SandboxRuntime, Pick<SandboxModel, 'handler' | 'overhead' | 'nodeSelector'>>> = {
  gvisor: { handler: 'runsc', overhead: { cpu: '100m', memory: '64Mi' }, nodeSelector: { 'sandbox.palisade.dev/gvisor': 'true' } },
  'kata-qemu': { handler: 'kata-qemu', overhead: { cpu: '250m', memory: '160Mi' }, nodeSelector: { 'katacontainers.io/kata-runtime': 'true' } },
  'kata-clh': { handler: 'kata-clh', overhead: { cpu: '250m', memory: '130Mi' }, nodeSelector: { 'katacontainers.io/kata-runtime': 'true' } },
};

export interface SandboxRequirementProps {
  readonly runtime: SandboxRuntime;
  /** RuntimeClass name. @default the runtime name (`gvisor`, `kata-qemu`, `kata-clh`) */
  readonly runtimeClassName?: string;
  /** Pod overhead. @default per runtime (gvisor 100m/64Mi, kata-qemu 250m/160Mi, kata-clh 250m/130Mi) */
  readonly overhead?: Readonly<Record<string, string>>;
  /** Nodes that can run the sandbox. @default per runtime */
  readonly nodeSelector?: Readonly<Record<string, string>>;
  /** Tolerations for sandbox nodes. @default one NoSchedule toleration per nodeSelector key */
  readonly tolerations?: SandboxModel['tolerations'];
  /** @default the construct id */
  readonly name?: string;
}

/** Agent pods must run in a gVisor or Kata sandbox (RuntimeClass + admission rule). */
export class SandboxRequirement extends PolicyConstruct {
  public readonly name: string;

  public constructor(scope: Construct, id: string, private readonly props: SandboxRequirementProps) {
    super(scope, id);
    this.name = props.name ?? id;
    this.check([...nameProblem(this.name), ...(isDnsLabel(props.runtimeClassName ?? props.runtime) ? [] : ['runtimeClassName must be a DNS label'])]);
  }

  /** @internal */
  public _contribute(b: ModelBuilder): void {
    const d = SANDBOX_DEFAULTS[this.props.runtime];
    const nodeSelector = this.props.nodeSelector ?? d.nodeSelector;
    b.sandboxes.push({
      name: this.name, runtime: this.props.runtime, runtimeClassName: this.props.runtimeClassName ?? this.props.runtime,
      handler: d.handler, overhead: this.props.overhead ?? d.overhead, nodeSelector,
      tolerations: this.props.tolerations ?? Object.keys(nodeSelector).sort().map((key) => ({ key, operator: 'Exists' as const, effect: 'NoSchedule' as const })),
      source: { path: this.node.path },
    });
  }
}

export interface RuntimeGuardProps {
  /** Absolute paths of the only binaries agents may execute. */
  readonly allowedExecutables: readonly string[];
  /** Deny executing anything from these writable paths (binary drift). @default ['/tmp', '/dev/shm', '/var/tmp', '/home'] */
  readonly writablePaths?: readonly string[];
  /** Accept that host eBPF (Tetragon) cannot see inside gVisor/Kata sandboxes. @default false */
  readonly acknowledgeSandboxBlindSpot?: boolean;
  /** @default the construct id */
  readonly name?: string;
}

/** Runtime rules: an exec allow-list and no exec from writable paths (runtime backend). */
export class RuntimeGuard extends PolicyConstruct {
  public readonly name: string;

  public constructor(scope: Construct, id: string, private readonly props: RuntimeGuardProps) {
    super(scope, id);
    this.name = props.name ?? id;
    const paths = [...props.allowedExecutables, ...(props.writablePaths ?? [])];
    this.check([
      ...nameProblem(this.name),
      ...(props.allowedExecutables.length === 0 ? ['allowedExecutables must not be empty'] : []),
      ...paths.filter((p) => !p.startsWith('/')).map((p) => `path "${p}" must be absolute`),
    ]);
  }

  /** @internal */
  public _contribute(b: ModelBuilder): void {
    b.runtimeGuards.push({
      name: this.name, allowedExecutables: [...this.props.allowedExecutables].sort(),
      writablePaths: [...(this.props.writablePaths ?? ['/tmp', '/dev/shm', '/var/tmp', '/home'])].sort(),
      acknowledgeSandboxBlindSpot: this.props.acknowledgeSandboxBlindSpot ?? false, source: { path: this.node.path },
    });
  }
}

export interface GpuTenancyProps {
  /** `whole` GPUs (`nvidia.com/gpu`) or `mig` slices (`nvidia.com/mig-<profile>`); the other kind is denied. */
  readonly mode: GpuMode;
  /** Quota per namespace, e.g. `{ 'nvidia.com/mig-1g.10gb': 4 }`. */
  readonly quota: Readonly<Record<string, number>>;
  /** @default the construct id */
  readonly name?: string;
}

/** GPU tenancy of the namespaces whose agents use it: whole GPUs or MIG slices, with quotas. */
export class GpuTenancy extends PolicyConstruct {
  public readonly name: string;

  public constructor(scope: Construct, id: string, private readonly props: GpuTenancyProps) {
    super(scope, id);
    this.name = props.name ?? id;
    const wrongKind = Object.keys(props.quota).filter((r) => (props.mode === 'mig' ? !r.startsWith('nvidia.com/mig-') : r !== 'nvidia.com/gpu'));
    this.check([
      ...nameProblem(this.name),
      ...wrongKind.map((r) => `quota resource "${r}" does not fit mode "${props.mode}" (${props.mode === 'mig' ? 'use nvidia.com/mig-<profile>' : 'use nvidia.com/gpu'})`),
      ...Object.entries(props.quota).filter(([, n]) => !Number.isInteger(n) || n < 0).map(([r]) => `quota for "${r}" must be a non-negative integer`),
    ]);
  }

  /** @internal */
  public _contribute(b: ModelBuilder): void {
    b.gpuTenancies.push({ name: this.name, mode: this.props.mode, quota: { ...this.props.quota }, source: { path: this.node.path } });
  }
}

export interface QuarantineProps {
  /** Pod label that isolates a pod when set to "true". @default palisade.dev/quarantine */
  readonly label?: string;
  /** Keep DNS resolution while quarantined. @default true */
  readonly keepDns?: boolean;
}

/** How on-call isolates an agent at once: label its pods and every allow rule stops applying. */
export class Quarantine extends PolicyConstruct {
  public constructor(scope: Construct, id: string, private readonly props: QuarantineProps = {}) {
    super(scope, id);
  }

  /** @internal */
  public _contribute(b: ModelBuilder): void {
    if (b.quarantine) throw new Error(`[${this.node.path}] only one Quarantine construct is allowed`);
    b.quarantine = { label: this.props.label ?? LABELS.quarantine, keepDns: this.props.keepDns ?? true, source: { path: this.node.path } };
  }
}
