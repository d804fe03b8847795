import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { inject } from 'vitest';

const run = promisify(execFile);

export interface KubectlResult { readonly ok: boolean; readonly out: string }

/** kubectl as `user` (impersonated by the suite's admin kubeconfig), stdin optional; never throws. */
export async function kubectlAs(user: string, groups: readonly string[], args: readonly string[], stdin?: string): Promise<KubectlResult> {
  const p = run('kubectl', ['--kubeconfig', inject('kubeconfig'), '--as', user, ...groups.flatMap((g) => ['--as-group', g]), ...args]);
  if (stdin !== undefined) { p.child.stdin?.write(stdin); p.child.stdin?.end(); }
  try {
    const r = await p;
    return { ok: true, out: r.stdout + r.stderr };
  } catch (e) {
    const x = e as { stdout?: string; stderr?: string };
    return { ok: false, out: `${x.stdout ?? ''}${x.stderr ?? ''}` };
  }
}
