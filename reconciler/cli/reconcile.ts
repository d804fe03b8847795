import { Option, type Command } from 'commander';
import { runReconcile } from '../commands/index.js';
import { REPORT_FORMATS } from '../report/formats.js';
import { action } from './action.js';
import { addTargetOptions } from './flags.js';

/** `palisade reconcile --once | --watch`: apply Git to the clusters, prune, correct drift. */
export function registerReconcile(program: Command): void {
  addTargetOptions(program.command('reconcile').description('apply Git to the clusters with server-side apply, prune what Git removed, correct drift (--once, or continuously with --watch)'))
    .option('--once', 'one pass, then print the report (exit 0 clean, 1 drift left or a probe violated, 2 error)')
    .option('--watch', 'run continuously: react to cluster events and new Git revisions')
    .option('--allow-mass-prune', 'prune even when more than the cap (25% of managed objects, at most 50) would be deleted')
    .option('--allow-probe-failures', 'apply a revision even when it violates a probe of its palisade.yaml (the probes of the applied revision\'s palisade.yaml; default: --once exits 1 and writes nothing; --watch stays on the applied revision)')
    .option('--trust-revision <sha>', '--git: the commit (full SHA, reviewed by you) a cluster with no applied revision is judged from; nothing is trusted on first use otherwise')
    .option('--allow-rollback', '--git: apply a revision that is not a descendant of the applied one (the head is judged by the applied revision\'s signature rules)')
    .option('--require-digest', '--git: apply a revision only when its head commit has a "Palisade-Digest: <cluster> sha256:…" trailer equal to the digest of its output (what palisade diff showed the reviewer)')
    .option('--poll-interval <duration>', 'how often --watch polls Git for new revisions', '30s')
    .option('--resync-interval <duration>', '--watch: full pass this often, a safety net for missed events (0: never)', '5m')
    .option('--listen <host:port>', '--watch: address of /metrics, /healthz and /readyz', '0.0.0.0:9090')
    .addOption(new Option('-f, --format <format>', '--once: report format').choices(REPORT_FORMATS).default('text'))
    .option('-o, --output <file>', '--once: write the report to a file')
    .action(action(runReconcile));
}
