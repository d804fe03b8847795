import { Command } from 'commander';
import { registerCluster } from './cluster.js';
import { registerSynth } from './synth.js';
import { registerDrift } from './drift.js';
import { registerReconcile } from './reconcile.js';
import { registerDemo } from './demo.js';
import { registerInstall } from './install.js';
import { registerPublish } from './publish.js';
import { registerAnalyze } from './analyze.js';
import { registerDiff } from './diff.js';

const program = new Command('palisade')
  .description('Policy-as-code for AI-agent workloads on Kubernetes: author in TypeScript, synthesize for every enforcement backend, reconcile continuously.')
  .version('0.1.0')
  .showHelpAfterError()
  .addHelpText('after', '\nExit codes: 0 success, 1 findings (drift, not running), 2 error.\nEvery command that talks to a cluster accepts --kubeconfig or KUBECONFIG.');

registerDemo(program);
registerCluster(program);
registerSynth(program);
registerReconcile(program);
registerDrift(program);
registerInstall(program);
registerPublish(program);
registerAnalyze(program);
registerDiff(program);

await program.parseAsync(process.argv);
