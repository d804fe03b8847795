import type { Command } from 'commander';
import { runSynth } from '../commands/index.js';
import { action } from './action.js';
import { addSourceOptions } from './flags.js';

/** `palisade synth`: policies → per-cluster manifests, validated offline against their schemas. */
export function registerSynth(program: Command): void {
  addSourceOptions(program.command('synth')
    .description('synthesize policies for each cluster into DIR/<cluster>/ (one file per object, kustomization.yaml, palisade-index.json)'))
    .option('-o, --out <dir>', 'output directory', 'dist')
    .option('--config <file>', 'repository configuration (gitops: Argo CD / Flux objects under DIR/gitops/; default: palisade.yaml of the source)')
    .action(action(runSynth));
}
