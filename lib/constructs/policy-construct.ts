import { Construct } from 'constructs';
import { PalisadeError } from '../core/errors.js';
import type { ModelBuilder } from './model-builder.js';

/**
 * Base of every palisade construct: validates its props when created (throwing an error that names
 * the construct path) and contributes its part of the {@link PolicyModel} at synth.
 */
export abstract class PolicyConstruct extends Construct {
  /** Adds this construct's declarations to the model. @internal */
  public abstract _contribute(builder: ModelBuilder): void;

  /** Throws one InvalidInput error listing every problem, prefixed with the construct path. */
  protected check(problems: readonly string[], hint?: string): void {
    if (problems.length === 0) return;
    const lines = problems.map((p) => `[${this.node.path}] ${p}`).join('\n');
    throw new PalisadeError('InvalidInput', `Invalid props for ${this.constructor.name}:\n${lines}`, hint === undefined ? {} : { hint });
  }
}

export function isPolicyConstruct(c: unknown): c is PolicyConstruct {
  return c instanceof PolicyConstruct;
}
