import type { Construct } from 'constructs';
import type { ModelBuilder } from './model-builder.js';
import { PolicyConstruct } from './policy-construct.js';
import { isDnsLabel, labelProblems } from './values.js';
import type { Zone } from './zone.js';

export interface EgressProxyProps {
  /** Namespace the proxy runs in (governed: default-deny like every other). */
  readonly namespace: string;
  readonly zone: Zone;
  /** Labels selecting the proxy's pods. @default { 'app.kubernetes.io/name': <name> } */
  readonly podLabels?: Readonly<Record<string, string>>;
  /** The proxy's ServiceAccount: pods with its labels must run as it. @default the proxy name */
  readonly serviceAccount?: string;
  /**
   * First listener port. Every agent that goes through the proxy gets its own port in
   * [firstPort, firstPort + 999], derived from the agent's name alone, so it stays the same when
   * other agents come and go (`palisade analyze` and the generated configuration list them). @default 3128
   */
  readonly firstPort?: number;
  /** @default the construct id */
  readonly name?: string;
}

function propProblems(name: string, props: EgressProxyProps): string[] {
  const port = props.firstPort ?? 3128;
  const names = [['name', name], ['namespace', props.namespace], ['serviceAccount', props.serviceAccount ?? name]] as const;
  return [
    ...names.filter(([, v]) => !isDnsLabel(v)).map(([what, v]) => `${what} "${v}" must be a DNS label`),
    ...(Number.isInteger(port) && port >= 1 && port <= 64536 ? [] : [`firstPort ${port} must be an integer between 1 and 64536 (the proxy uses up to 1,000 ports from it)`]),
    ...labelProblems(props.podLabels ?? {}, 'pod label'),
    ...(props.podLabels !== undefined && Object.keys(props.podLabels).length === 0 ? ['podLabels must not be empty: {} selects every pod of the namespace, so every pod there would get the proxy\'s egress'] : []),
  ];
}

/**
 * An HTTP(S) forward proxy (Squid) for web access where the dataplane cannot allow egress by DNS
 * name. Use it with `agent.allowTo(host, { via: proxy })`: palisade gives each agent a listener port
 * only that agent may reach, lets the proxy out to public addresses on the destinations' ports, and
 * generates the proxy's configuration (ConfigMap `<name>-squid`) so each listener forwards only to
 * its agent's hosts. Reaching the proxy does not by itself grant any destination.
 */
export class EgressProxy extends PolicyConstruct {
  public readonly name: string;
  public readonly namespace: string;
  public readonly zone: Zone;

  public constructor(scope: Construct, id: string, private readonly props: EgressProxyProps) {
    super(scope, id);
    this.name = props.name ?? id;
    this.namespace = props.namespace;
    this.zone = props.zone;
    this.check(propProblems(this.name, props));
  }

  public get podLabels(): Readonly<Record<string, string>> {
    return this.props.podLabels ?? { 'app.kubernetes.io/name': this.name };
  }

  /** @internal */
  public _contribute(b: ModelBuilder): void {
    b.egressProxies.push({
      name: this.name, namespace: this.namespace, podLabels: this.podLabels, zone: this.zone.name,
      serviceAccount: this.props.serviceAccount ?? this.name, firstPort: this.props.firstPort ?? 3128,
      listeners: [], source: { path: this.node.path },
    });
  }
}
