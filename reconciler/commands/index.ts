/**
 * What each `palisade` command does, as library functions taking parsed flags and returning an
 * exit code. Each is loaded on first call: `palisade --help` loads none of them, and a command pays
 * only for what it uses (the Kubernetes client alone is most of a second of start-up).
 */
import type { AnalyzeFlags } from './analyze.js';
import type { UpFlags } from './cluster.js';
import type { DemoFlags } from './demo.js';
import type { DiffFlags } from './diff.js';
import type { DriftFlags } from './drift.js';
import type { InstallFlags } from './install.js';
import type { PublishFlags } from './publish.js';
import type { ReconcileFlags } from './reconcile.js';
import type { SynthFlags } from './synth.js';
import type { TargetFlags } from './targets.js';
import type { UninstallFlags } from './uninstall.js';

export { EXIT } from './exit.js';
export type { AnalyzeFlags, DemoFlags, DiffFlags, DriftFlags, InstallFlags, PublishFlags, ReconcileFlags, SynthFlags, TargetFlags, UninstallFlags, UpFlags };
export type { RevisionFlags, SourceFlags } from './revision.js';

export const runAnalyze = async (dirs: string[], f: AnalyzeFlags): Promise<number> => (await import('./analyze.js')).runAnalyze(dirs, f);
export const runDemo = async (f: DemoFlags): Promise<number> => (await import('./demo.js')).runDemo(f);
export const runDiff = async (f: DiffFlags): Promise<number> => (await import('./diff.js')).runDiff(f);
export const runDoctor = async (f: TargetFlags): Promise<number> => (await import('./doctor.js')).runDoctor(f);
export const runDrift = async (f: DriftFlags): Promise<number> => (await import('./drift.js')).runDrift(f);
export const runInstall = async (f: InstallFlags): Promise<number> => (await import('./install.js')).runInstall(f);
export const runPublish = async (f: PublishFlags): Promise<number> => (await import('./publish.js')).runPublish(f);
export const runReconcile = async (f: ReconcileFlags): Promise<number> => (await import('./reconcile.js')).runReconcile(f);
export const runSynth = async (f: SynthFlags): Promise<number> => (await import('./synth.js')).runSynth(f);
export const runUninstall = async (f: UninstallFlags): Promise<number> => (await import('./uninstall.js')).runUninstall(f);
export const clusterUp = async (f: UpFlags): Promise<number> => (await import('./cluster.js')).clusterUp(f);
export const clusterDown = async (f: { readonly name: string }): Promise<number> => (await import('./cluster.js')).clusterDown(f);
export const clusterStatus = async (f: { readonly name: string; readonly output: string }): Promise<number> => (await import('./cluster.js')).clusterStatus(f);
export const clusterBuild = async (): Promise<number> => (await import('./cluster.js')).clusterBuild();
