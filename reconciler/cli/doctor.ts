import type { Command } from 'commander';
import { runDoctor } from '../commands/index.js';
import { action } from './action.js';
import { addTargetOptions } from './flags.js';

/** `palisade doctor`: check a live cluster for the assumptions palisade's output depends on. */
export function registerDoctor(program: Command): void {
  addTargetOptions(program.command('doctor')
    .description('check a live cluster for what palisade\'s output assumes: kinds served, Cilium version and identity labels, Calico tier order, Kyverno/Tetragon running; reads only (exit 0 all hold, 1 one does not, 2 error)'))
    .action(action(runDoctor));
}
