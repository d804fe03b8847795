#!/usr/bin/env node
// Entry point of the `palisade` command. palisade runs its TypeScript sources directly through tsx,
// so a policy repository needs no build step.
import { register } from 'tsx/esm/api';

register();
await import('../reconciler/cli/main.ts');
