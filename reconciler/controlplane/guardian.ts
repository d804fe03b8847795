/**
 * Watchdog process: `guardian OWNER_PID PID...`. Polls the owner; when it is gone, terminates
 * the given process groups (SIGTERM, then SIGKILL) and exits. Exits early when they are all gone.
 */
import { isAlive, stopProcesses } from './processes.js';

const [ownerArg, ...rest] = process.argv.slice(2);
const owner = Number(ownerArg);
const pids = rest.map(Number).filter((n) => Number.isInteger(n) && n > 0);

const timer = setInterval(() => {
  if (!pids.some(isAlive)) {
    clearInterval(timer);
    return;
  }
  if (isAlive(owner)) return;
  clearInterval(timer);
  void stopProcesses(pids, 3000).finally(() => process.exit(0));
}, 250);
