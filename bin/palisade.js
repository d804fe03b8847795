#!/usr/bin/env node
// Entry point of the `palisade` command. palisade's own TypeScript is compiled ahead into build/
// (at `npm ci`, or here on the first run after an edit); users' policies are transpiled at run time
// by the synthesis sandbox, so a policy repository needs no build step.
import { ensureBuilt } from '../scripts/build.mjs';

await ensureBuilt({ log: (m) => process.stderr.write(`${m}\n`) });
await import('../build/reconciler/cli/main.js');
