import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where palisade keeps built binaries (`PALISADE_CACHE_DIR`, else `$XDG_CACHE_HOME/palisade`,
 * else `~/.cache/palisade`) and local clusters (`PALISADE_STATE_DIR`, else
 * `$XDG_STATE_HOME/palisade`, else `~/.local/state/palisade`).
 */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env['PALISADE_CACHE_DIR']) return env['PALISADE_CACHE_DIR'];
  return join(env['XDG_CACHE_HOME'] || join(homedir(), '.cache'), 'palisade');
}

export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env['PALISADE_STATE_DIR']) return env['PALISADE_STATE_DIR'];
  return join(env['XDG_STATE_HOME'] || join(homedir(), '.local', 'state'), 'palisade');
}

/** Directory of one named local cluster. */
export function clusterDir(name: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(stateDir(env), 'clusters', name);
}
