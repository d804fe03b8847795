import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** Starts `bin` detached in its own process group, output appended to `logFile`. */
export function spawnDaemon(bin: string, args: readonly string[], logFile: string): number {
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn(bin, args, { detached: true, stdio: ['ignore', fd, fd] });
    child.unref();
    // A spawn failure (e.g. ENOENT) surfaces as an exit during readiness, not as an uncaught error.
    child.on('error', () => undefined);
    if (child.pid === undefined) throw new Error(`could not start ${bin} (missing or not executable)`);
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try { process.kill(pid, signal); } catch { /* already gone */ }
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** SIGTERM the process groups, wait up to `graceMs`, then SIGKILL what is left. */
export async function stopProcesses(pids: readonly number[], graceMs = 5000): Promise<void> {
  for (const pid of pids) signalGroup(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (pids.some(isAlive) && Date.now() < deadline) await sleep(50);
  for (const pid of pids.filter(isAlive)) signalGroup(pid, 'SIGKILL');
  while (pids.some(isAlive)) await sleep(20);
}

/** The last `lines` lines of a log file, for error messages. */
export async function logTail(logFile: string, lines = 15): Promise<string> {
  const text = await readFile(logFile, 'utf8').catch(() => '');
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/**
 * Starts a detached watchdog that kills `pids` (process groups) as soon as `ownerPid` exits, so
 * an interrupted test run or CLI never leaves etcd or kube-apiserver behind. Returns its pid.
 */
export function startGuardian(ownerPid: number, pids: readonly number[]): number {
  // From source (tests, benchmarks) through tsx; from palisade's build/ as plain JavaScript.
  const fromSource = import.meta.url.endsWith('.ts');
  const script = fileURLToPath(new URL(fromSource ? './guardian.ts' : './guardian.js', import.meta.url));
  const child = spawn(process.execPath, [...(fromSource ? ['--import', 'tsx'] : []), script, String(ownerPid), ...pids.map(String)], {
    detached: true, stdio: 'ignore',
  });
  child.unref();
  return child.pid ?? -1;
}
