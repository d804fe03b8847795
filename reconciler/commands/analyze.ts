import { writeFile } from 'node:fs/promises';
import { analyze, formatConnlist, formatHttp, formatProxied, proxiedLine, readManifests, synthesizedInput, sortConnections, unsupportedKinds, type Analysis, type AnalysisOptions, type Decision, type PairExplanation, type SourcedObject } from '../../lib/analysis/index.js';
import { PalisadeError } from '../../lib/core/errors.js';
import { EXIT } from './exit.js';
import { synthClusters } from './synth.js';
import type { SourceFlags } from './revision.js';

export interface AnalyzeFlags extends Omit<SourceFlags, 'cluster'> {
  readonly cluster?: string;
  readonly format: string;
  readonly explain: boolean;
  readonly from?: string;
  readonly to?: string;
  readonly out?: string;
  readonly policies: string;
  readonly clusters: string;
}

interface Inputs {
  readonly objects: SourcedObject[];
  readonly options: AnalysisOptions;
}

async function inputs(dirs: readonly string[], flags: AnalyzeFlags): Promise<Inputs> {
  if (flags.cluster !== undefined) {
    const [result] = await synthClusters({ ...flags, cluster: [flags.cluster] });
    const { podCidrs } = result!.cluster;
    return { objects: synthesizedInput(flags.cluster, result!.objects, result!.model), options: podCidrs === undefined ? {} : { podCidrs } };
  }
  if (dirs.length === 0) throw new PalisadeError('InvalidInput', 'nothing to analyse: give a directory of manifests or --cluster NAME', { hint: 'palisade analyze dist/local, or palisade analyze --cluster local' });
  return { objects: await readManifests(dirs), options: {} };
}

const describeBy = (d: Decision): string => (d.by.rule === 'default' ? d.by.policy : `${d.by.policy} ${d.by.rule}`);

function explainText(p: PairExplanation): string {
  const lines = [`${p.src.id} => ${p.dst.id} : ${p.conns.toString()}`];
  for (const [dir, list] of [['egress', p.egress], ['ingress', p.ingress]] as const) {
    for (const d of list ?? []) lines.push(`  ${dir.padEnd(7)} ${d.verdict.padEnd(5)} ${d.conns.toString()}  by ${describeBy(d)}`);
  }
  if (p.exposed !== undefined) lines.push(`  exposed by Ingress/Route: ${p.exposed.toString()}`);
  return lines.join('\n');
}

function findPeer(a: Analysis, id: string): Analysis['peers'][number] {
  const peer = a.peers.find((p) => p.id === id || p.id.startsWith(`${id}[`));
  if (peer === undefined) throw new PalisadeError('InvalidInput', `no peer "${id}" in the input`, { hint: `peers look like ${a.peers.slice(0, 3).map((p) => p.id).join(', ')}` });
  return peer;
}

function render(a: Analysis, flags: AnalyzeFlags): string {
  if (flags.from !== undefined || flags.to !== undefined) {
    if (flags.from === undefined || flags.to === undefined) throw new PalisadeError('InvalidInput', '--from and --to go together');
    return `${explainText(a.explain(findPeer(a, flags.from), findPeer(a, flags.to)))}\n`;
  }
  const conns = sortConnections(a.connections);
  switch (flags.format) {
    case 'txt':
      return `${flags.explain ? `${conns.map((c) => explainText(a.explain(c.src, c.dst))).join('\n')}\n` : formatConnlist(a)}${formatProxied(a)}`;
    case 'json':
      return `${JSON.stringify({ connections: conns.map((c) => ({ src: c.src.id, dst: c.dst.id, conns: c.conns.toJSON(), ...(c.http === undefined ? {} : { http: c.http }), ...(flags.explain ? { explanation: explainText(a.explain(c.src, c.dst)).split('\n').slice(1).map((l) => l.trim()) } : {}) })), proxied: a.proxied.map((p) => ({ src: p.src.id, host: p.host, conns: p.conns.toJSON(), via: `${p.proxy.id}:${p.listener}` })), warnings: a.warnings }, null, 2)}\n`;
    case 'md':
      return ['| Source | Destination | Connections |', '| --- | --- | --- |', ...conns.map((c) => `| \`${c.src.id}\` | \`${c.dst.id}\` | ${c.conns.toString()}${c.http === undefined ? '' : ` (HTTP ${formatHttp(c.http)})`} |`), ...a.proxied.map(proxiedLine).sort().map((l) => `| ${l.replace(' => ', ' | ').replace(' : ', ' | ')} |`), ''].join('\n');
    default:
      throw new PalisadeError('InvalidInput', `unknown --format ${flags.format} (txt, json or md)`);
  }
}

/** `palisade analyze`: allowed connections of a set of manifests or of a synthesized cluster. */
export async function runAnalyze(dirs: string[], flags: AnalyzeFlags): Promise<number> {
  const { objects, options } = await inputs(dirs, flags);
  const unsupported = unsupportedKinds(objects);
  if (unsupported.length > 0) process.stderr.write(`palisade: warning: ${unsupported.join(', ')} not modelled; connectivity shown for the default pod network only\n`);
  const a = analyze(objects, options);
  for (const w of a.warnings) process.stderr.write(`palisade: warning: ${w}\n`);
  const text = render(a, flags);
  if (flags.out === undefined) process.stdout.write(text);
  else await writeFile(flags.out, text);
  return EXIT.ok;
}

