import { isIPv4 } from 'node:net';
import type { Construct } from 'constructs';
import type { ModelBuilder } from './model-builder.js';
import { PolicyConstruct } from './policy-construct.js';
import { isDnsLabel, isHostPattern, Port } from './values.js';

export interface ExternalEndpointProps {
  /** DNS name (`api.openai.com`) or leading wildcard (`*.github.com`). */
  readonly host: string;
  /** @default [Port.tcp(443)] */
  readonly ports?: readonly Port[];
  /** Pin the TLS server name (SNI) to `host` where the backend supports it. @default true */
  readonly sni?: boolean;
  /**
   * CIDRs to use on backends without DNS-name egress (Kubernetes NetworkPolicy, open-source Calico).
   * Opt-in only: without it those backends fail synthesis for this endpoint.
   * @default none
   */
  readonly cidrFallback?: readonly string[];
  /**
   * Accept a cidrFallback range that contains cloud metadata or the kube-apiserver (e.g. 0.0.0.0/0);
   * those addresses stay excluded unless the agent waives its guardrail. Without it such a range is a synth error.
   * @default false
   */
  readonly allowWideFallback?: boolean;
  /** @default the construct id */
  readonly name?: string;
}

function cidrProblem(cidr: string): string | undefined {
  const [ip, mask] = cidr.split('/');
  if (ip === undefined || !isIPv4(ip)) return `cidrFallback "${cidr}" is not an IPv4 CIDR`;
  if (mask === undefined) return `cidrFallback "${cidr}" has no mask. Did you mean "${cidr}/32"?`;
  const m = Number(mask);
  return Number.isInteger(m) && m >= 0 && m <= 32 ? undefined : `cidrFallback "${cidr}" has an invalid mask`;
}

/** A destination outside the cluster, reached by DNS name. */
export class ExternalEndpoint extends PolicyConstruct {
  public readonly name: string;
  public readonly host: string;

  public constructor(scope: Construct, id: string, private readonly props: ExternalEndpointProps) {
    super(scope, id);
    this.name = props.name ?? id;
    this.host = props.host.toLowerCase();
    const cidrs = (props.cidrFallback ?? []).map(cidrProblem).filter((p): p is string => p !== undefined);
    this.check([
      ...(isDnsLabel(this.name) ? [] : [`name "${this.name}" must be a DNS label`]),
      ...(isHostPattern(this.host) ? [] : [`host "${props.host}" must be a DNS name like "api.example.com" or a leading wildcard like "*.example.com" (one label) or "**.example.com" (one or more)`]),
      ...(props.ports?.length === 0 ? ['ports must not be empty (omit it for TCP 443)'] : []),
      ...cidrs,
    ]);
  }

  /** @internal */
  public _contribute(b: ModelBuilder): void {
    b.externals.push({
      name: this.name, host: this.host, ports: (this.props.ports ?? [Port.tcp(443)]).map((p) => p.spec),
      sni: this.props.sni ?? true, allowWideFallback: this.props.allowWideFallback ?? false,
      ...(this.props.cidrFallback ? { cidrFallback: [...this.props.cidrFallback] } : {}),
      source: { path: this.node.path },
    });
  }
}
