/**
 * The flags commands share, defined once: which revision (`--source DIR`, or `--git URL --ref
 * REF`), which clusters (`-c/--cluster`, repeatable), which kubeconfig. Old spellings stay as
 * deprecated aliases that behave as before and print a one-line notice.
 */
import { Option, type Command } from 'commander';

const collect = (v: string, prev: string[]): string[] => [...prev, v];
/** Repeatable and comma-separated (`--label a,b --label c`). */
export const collectList = (v: string, prev: string[]): string[] => [...prev, ...v.split(',').map((s) => s.trim()).filter(Boolean)];

const DEPRECATED = new WeakMap<Option, string>();

function deprecated(flags: string, description: string, instead: string): Option {
  const o = new Option(flags, `${description} (deprecated: ${instead})`);
  DEPRECATED.set(o, instead);
  return o;
}

/** Prints one notice per deprecated flag given on the command line (a preAction hook). */
export function noticeDeprecated(cmd: Command): void {
  for (const o of cmd.options) {
    const instead = DEPRECATED.get(o);
    if (instead !== undefined && cmd.getOptionValueSource(o.attributeName()) === 'cli') process.stderr.write(`palisade: ${o.long} is deprecated: ${instead}\n`);
  }
}

export const clusterOption = (description = 'cluster from clusters/ (repeatable)'): Option =>
  new Option('-c, --cluster <name>', description).argParser(collect).default([], 'all');

/** `--source DIR | --git URL --ref REF`. */
export function addRevisionOptions(cmd: Command): Command {
  return cmd
    .option('--source <dir>', 'repository directory holding policies/ and clusters/', '.')
    .option('--git <url>', 'read policies from this Git repository instead of --source')
    .option('--ref <ref>', 'branch, tag or commit of --git', 'main');
}

/** Revision, clusters, and the deprecated --policies/--clusters of the offline commands. */
export function addSourceOptions(cmd: Command, cluster: Option | false = clusterOption()): Command {
  if (cluster !== false) addRevisionOptions(cmd).addOption(cluster);
  else addRevisionOptions(cmd);
  return cmd
    .addOption(deprecated('--policies <file>', 'module exporting definePolicies(scope, cluster), relative to the current directory', 'use --source DIR (DIR/policies/index.ts)'))
    .addOption(deprecated('--clusters <dir>', 'directory of cluster configurations', 'use --source DIR (DIR/clusters)'));
}

/** Source options plus the kubeconfig, for every command that talks to clusters. */
export function addTargetOptions(cmd: Command): Command {
  return addSourceOptions(cmd)
    .option('--kubeconfig <path>', 'kubeconfig (default: $KUBECONFIG, then ~/.kube/config)')
    .option('--context <name>', "kubeconfig context (default: the cluster's `context`, then the current context)");
}
