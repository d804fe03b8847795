import type { Construct } from 'constructs';
import type { EndpointKind } from '../model/model.js';
import type { ModelBuilder } from './model-builder.js';
import { PolicyConstruct } from './policy-construct.js';
import { isDnsLabel, labelProblems, type Port } from './values.js';
import type { Zone } from './zone.js';

export interface EndpointProps {
  /** Namespace of the endpoint's pods. */
  readonly namespace: string;
  /** Labels selecting the endpoint's pods. @default { 'app.kubernetes.io/name': <name> } */
  readonly podLabels?: Readonly<Record<string, string>>;
  readonly zone: Zone;
  /** Ports it serves; agents may reach only these. */
  readonly ports: readonly Port[];
  /** @default the construct id */
  readonly name?: string;
}

/** An in-cluster destination agents call: use {@link Tool}, {@link DataStore} or {@link ModelServer}. */
export class Endpoint extends PolicyConstruct {
  public readonly name: string;
  public readonly namespace: string;
  public readonly zone: Zone;

  public constructor(scope: Construct, id: string, private readonly props: EndpointProps, private readonly kind: EndpointKind = 'service') {
    super(scope, id);
    this.name = props.name ?? id;
    this.namespace = props.namespace;
    this.zone = props.zone;
    this.check([
      ...(isDnsLabel(this.name) ? [] : [`name "${this.name}" must be a DNS label`]),
      ...(isDnsLabel(props.namespace) ? [] : [`namespace "${props.namespace}" must be a DNS label`]),
      ...(props.ports.length === 0 ? ['ports must list at least one port, e.g. ports: [Port.tcp(8080)]'] : []),
      ...labelProblems(props.podLabels ?? {}, 'pod label'),
      ...(props.podLabels !== undefined && Object.keys(props.podLabels).length === 0 ? ['podLabels must not be empty: {} selects every pod of the namespace, so every pod there would receive this endpoint\'s traffic'] : []),
    ]);
  }

  public get podLabels(): Readonly<Record<string, string>> {
    return this.props.podLabels ?? { 'app.kubernetes.io/name': this.name };
  }

  /** @internal */
  public _contribute(b: ModelBuilder): void {
    b.endpoints.push({
      name: this.name, kind: this.kind, namespace: this.namespace, podLabels: this.podLabels,
      zone: this.zone.name, ports: this.props.ports.map((p) => p.spec), source: { path: this.node.path },
    });
  }
}

/** An MCP or other tool server agents call. */
export class Tool extends Endpoint {
  public constructor(scope: Construct, id: string, props: EndpointProps) { super(scope, id, props, 'tool'); }
}

/** A vector database, object store or other data store. */
export class DataStore extends Endpoint {
  public constructor(scope: Construct, id: string, props: EndpointProps) { super(scope, id, props, 'data-store'); }
}

/** A model server or inference gateway. */
export class ModelServer extends Endpoint {
  public constructor(scope: Construct, id: string, props: EndpointProps) { super(scope, id, props, 'model-server'); }
}
