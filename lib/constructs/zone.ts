import type { Construct } from 'constructs';
import type { ModelBuilder } from './model-builder.js';
import { PolicyConstruct } from './policy-construct.js';
import { isDnsLabel } from './values.js';

export interface ZoneProps {
  /** Zone name, a DNS label. @default the construct id */
  readonly name?: string;
  readonly description?: string;
}

/**
 * A lifecycle segment (e.g. preprocessing, fine-tuning, inference). Traffic between zones is
 * denied unless the source zone declares `allowFlowTo(target)`.
 */
export class Zone extends PolicyConstruct {
  public readonly name: string;
  private readonly flowsTo = new Set<Zone>();

  public constructor(scope: Construct, id: string, private readonly props: ZoneProps = {}) {
    super(scope, id);
    this.name = props.name ?? id;
    this.check(isDnsLabel(this.name) ? [] : [`zone name "${this.name}" must be a DNS label (lowercase letters, digits, "-")`]);
  }

  /** Allow agents in this zone to reach endpoints in `target` (edges must still be declared). */
  public allowFlowTo(target: Zone): this {
    this.flowsTo.add(target);
    return this;
  }

  /** @internal */
  public _contribute(b: ModelBuilder): void {
    b.zones.push({
      name: this.name,
      ...(this.props.description ? { description: this.props.description } : {}),
      flowsTo: [...this.flowsTo].map((z) => z.name).sort(),
      source: { path: this.node.path },
    });
  }
}
