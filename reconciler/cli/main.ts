import { Command } from 'commander';
import { EXIT } from './action.js';
import { argvForParse } from './argv.js';
import { noticeDeprecated } from './flags.js';

type Register = (program: Command) => void;

/**
 * Commands in help order. A command file only declares flags; what the command does is loaded
 * when it runs (see ../commands/index.ts), so help and usage errors load no library code.
 */
const COMMANDS: ReadonlyArray<readonly [string, () => Promise<Register>]> = [
  ['demo', async () => (await import('./demo.js')).registerDemo],
  ['cluster', async () => (await import('./cluster.js')).registerCluster],
  ['synth', async () => (await import('./synth.js')).registerSynth],
  ['reconcile', async () => (await import('./reconcile.js')).registerReconcile],
  ['drift', async () => (await import('./drift.js')).registerDrift],
  ['install-manifests', async () => (await import('./install.js')).registerInstall],
  ['publish', async () => (await import('./publish.js')).registerPublish],
  ['analyze', async () => (await import('./analyze.js')).registerAnalyze],
  ['diff', async () => (await import('./diff.js')).registerDiff],
  ['doctor', async () => (await import('./doctor.js')).registerDoctor],
  ['uninstall', async () => (await import('./uninstall.js')).registerUninstall],
];

const program = new Command('palisade')
  .description('Policy-as-code for AI-agent workloads on Kubernetes: author in TypeScript, synthesize for every enforcement backend, reconcile continuously.')
  .version('0.1.0')
  .showHelpAfterError("(run 'palisade --help' for usage)")
  // Usage errors exit 2 like every other error; 1 is reserved for findings (drift, weakening).
  .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : EXIT.error))
  .hook('preAction', (_root, cmd) => noticeDeprecated(cmd))
  .addHelpText('after', '\nExit codes: 0 success, 1 findings (drift, not running), 2 error.\nEvery command that talks to a cluster accepts --kubeconfig or KUBECONFIG.');

// The named command alone when argv names one; every command otherwise (help, errors, completion).
const argv = argvForParse(process.argv, COMMANDS.map(([name]) => name));
const named = COMMANDS.filter(([name]) => name === argv[2]);
for (const [, load] of named.length > 0 ? named : COMMANDS) (await load())(program);

await program.parseAsync(argv);
