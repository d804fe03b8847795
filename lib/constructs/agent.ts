import type { Construct } from 'constructs';
import type { ModelBuilder } from './model-builder.js';
import type { EdgeModel, PeerRef } from '../model/model.js';
import { Endpoint } from './endpoint.js';
import type { EgressProxy } from './egress-proxy.js';
import { ExternalEndpoint } from './external-endpoint.js';
import type { GpuTenancy, RegistryAllowList, RuntimeGuard, SandboxRequirement } from './controls.js';
import { PolicyConstruct } from './policy-construct.js';
import { isDnsLabel, labelProblems, type Http, type Port } from './values.js';
import type { Zone } from './zone.js';

export interface AgentProps {
  /** Namespace the agent runs in. Every agent namespace is default-deny. */
  readonly namespace: string;
  readonly zone: Zone;
  /** @default the agent name */
  readonly serviceAccount?: string;
  /** Labels selecting the agent's pods. @default { 'app.kubernetes.io/name': <name> } */
  readonly podLabels?: Readonly<Record<string, string>>;
  /** Registries its images must come from (admission). @default none: no registry rule */
  readonly registry?: RegistryAllowList;
  /** Sandbox runtime its pods must use (admission + RuntimeClass). @default none */
  readonly sandbox?: SandboxRequirement;
  /** Exec allow-list and binary-drift rules (runtime backend). @default none */
  readonly runtimeGuard?: RuntimeGuard;
  /** GPU tenancy of its namespace. @default none */
  readonly gpu?: GpuTenancy;
  /** Waive the guardrail that blocks the kube-apiserver. @default false */
  readonly allowKubeApi?: boolean;
  /** Waive the guardrail that blocks cloud metadata and credential endpoints (169.254.169.254 and the others in CLOUD_METADATA_CIDRS). @default false */
  readonly allowCloudMetadata?: boolean;
  /** @default the construct id */
  readonly name?: string;
}

export interface AllowOptions {
  /** @default the destination's declared ports */
  readonly ports?: readonly Port[];
  /** Allowed HTTP requests (L7). @default any request */
  readonly http?: readonly Http[];
  /** Reach an external endpoint through this egress proxy (for clusters without DNS-name egress). @default direct */
  readonly via?: EgressProxy;
}

/** An AI agent workload: its identity, zone, and everything it may reach or run. */
export class Agent extends PolicyConstruct {
  public readonly name: string;
  public readonly namespace: string;
  public readonly zone: Zone;
  private readonly allowed: Array<{ to: Agent | Endpoint | ExternalEndpoint; opts: AllowOptions }> = [];
  private readonly started = new Set<Agent>();

  public constructor(scope: Construct, id: string, private readonly props: AgentProps) {
    super(scope, id);
    this.name = props.name ?? id;
    this.namespace = props.namespace;
    this.zone = props.zone;
    const sa = props.serviceAccount ?? this.name;
    this.check([
      ...(isDnsLabel(this.name) ? [] : [`name "${this.name}" must be a DNS label`]),
      ...(isDnsLabel(props.namespace) ? [] : [`namespace "${props.namespace}" must be a DNS label`]),
      ...(isDnsLabel(sa) ? [] : [`serviceAccount "${sa}" must be a DNS label`]),
      ...labelProblems(props.podLabels ?? {}, 'pod label'),
      ...(props.podLabels !== undefined && Object.keys(props.podLabels).length === 0 ? ['podLabels must not be empty: {} selects every pod of the namespace, so any pod there would get this agent\'s access'] : []),
    ]);
  }

  public get podLabels(): Readonly<Record<string, string>> {
    return this.props.podLabels ?? { 'app.kubernetes.io/name': this.name };
  }

  /** Allow this agent to reach a peer agent, an in-cluster endpoint or an external endpoint. */
  public allowTo(to: Agent | Endpoint | ExternalEndpoint, opts: AllowOptions = {}): this {
    if (to === this) this.check(['an agent cannot allowTo itself; traffic inside one agent is not policed']);
    if (opts.via !== undefined && !(to instanceof ExternalEndpoint)) this.check([`allowTo(${to.name}, { via: ${opts.via.name} }): only an ExternalEndpoint can be reached through an egress proxy`]);
    if (opts.via !== undefined && opts.http !== undefined) this.check([`allowTo(${to.name}, { via: ${opts.via.name}, http }): HTTP rules are not enforced through the egress proxy (HTTPS is tunnelled); drop http or reach the host directly on a backend with L7 rules`]);
    this.allowed.push({ to, opts });
    return this;
  }

  /** The agent's ServiceAccount (in its namespace): its identity. */
  public get serviceAccount(): string {
    return this.props.serviceAccount ?? this.name;
  }

  /**
   * Allow this agent to start pods and workloads that run as another agent (sub-agents, sandboxes,
   * tool runners). Without it, admission denies an agent creating a pod with another agent's identity.
   */
  public spawns(...agents: Agent[]): this {
    for (const a of agents) {
      if (a === this) this.check(['an agent always may start pods with its own identity; spawns(itself) is not needed']);
      this.started.add(a);
    }
    return this;
  }

  /** @internal */
  public _contribute(b: ModelBuilder): void {
    const p = this.props;
    b.agents.push({
      name: this.name, namespace: this.namespace, serviceAccount: this.serviceAccount,
      spawns: [...this.started].map((a) => a.name).sort(),
      podLabels: this.podLabels, zone: this.zone.name,
      ...(p.registry ? { registry: p.registry.name } : {}),
      ...(p.sandbox ? { sandbox: p.sandbox.name } : {}),
      ...(p.runtimeGuard ? { runtimeGuard: p.runtimeGuard.name } : {}),
      ...(p.gpu ? { gpu: p.gpu.name } : {}),
      allowKubeApi: p.allowKubeApi ?? false, allowCloudMetadata: p.allowCloudMetadata ?? false,
      source: { path: this.node.path },
    });
    for (const a of this.allowed) b.edges.push(this.edge(a.to, a.opts));
  }

  private edge(to: Agent | Endpoint | ExternalEndpoint, opts: AllowOptions): EdgeModel {
    const ref: PeerRef = to instanceof Agent ? { kind: 'agent', name: to.name }
      : to instanceof Endpoint ? { kind: 'endpoint', name: to.name }
      : { kind: 'external', name: (to satisfies ExternalEndpoint).name };
    return {
      from: this.name, to: ref,
      ports: (opts.ports ?? []).map((x) => x.spec), http: (opts.http ?? []).map((h) => h.rule),
      ...(opts.via ? { via: opts.via.name } : {}),
      source: { path: `${this.node.path}/allowTo/${ref.kind}/${ref.name}` },
    };
  }
}
