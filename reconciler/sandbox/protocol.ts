/**
 * What crosses the boundary between palisade and the synthesis sandbox: a request naming compiled
 * files, and plain data back (synthesized objects, the model, the cluster spec, or errors). No
 * function, class or credential crosses it.
 */
import type { SynthResult } from '../../lib/synth/synthesize.js';

export interface SandboxRequest {
  /** The compiled checkout's `lib/index.js` (each revision synthesizes with its own code). */
  readonly lib: string;
  /** The compiled policies module exporting `definePolicies`. */
  readonly policies: string;
  /** The checkout's clusters/ directory. */
  readonly clusters: string;
  /** Clusters to synthesize; empty: every cluster in `clusters`. */
  readonly names: readonly string[];
}

/** An error as data: palisade's code and hint when it was a PalisadeError. */
export interface WireError {
  readonly code?: string;
  readonly message: string;
  readonly hint?: string;
}

export type SandboxResponse =
  | { readonly kind: 'done'; readonly results: readonly SynthResult[]; readonly errors: readonly WireError[] }
  | { readonly kind: 'failed'; readonly error: WireError };
