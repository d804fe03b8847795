/**
 * network-config-analyzer (NCA, IBM/np-guard, PyPI `network-config-analyzer==2.1.0`) as a second,
 * independent oracle for Calico inputs. Installed once into a virtualenv under palisade's cache
 * directory; its `txt_no_fw_rules` connectivity output is parsed into the same canonical form as
 * palisade's analysis, so the two can be compared line by line.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ConnSet, type Analysis, type Protocol } from '../../lib/analysis/index.js';
import { formatRange, parseIPv4 } from '../../lib/analysis/ip.js';
import { normalize, type Interval } from '../../lib/analysis/intervals.js';
import { cacheDir } from '../../reconciler/controlplane/index.js';

const run = promisify(execFile);
export const NCA_VERSION = '2.1.0';

/** The `nca` executable, installing it into `<cache>/venv/nca-<version>` on first use. */
export async function ensureNca(): Promise<string> {
  const venv = join(cacheDir(), 'venv', `nca-${NCA_VERSION}`);
  const nca = join(venv, 'bin', 'nca');
  const done = join(venv, '.complete');
  if (existsSync(done)) return nca;
  await rm(venv, { recursive: true, force: true });
  await run('python3', ['-m', 'venv', venv]);
  await run(join(venv, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', `network-config-analyzer==${NCA_VERSION}`], { maxBuffer: 16 * 1024 * 1024 });
  await writeFile(done, `${NCA_VERSION}\n`);
  return nca;
}

/** NCA's connectivity report for a manifest file that holds both workloads and policies. */
export async function ncaConnectivity(nca: string, file: string): Promise<string> {
  const { stdout } = await run(nca, ['--connectivity', file, '--resource_list', file, '--output_format', 'txt_no_fw_rules'], { maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

type End = { readonly type: 'workload'; readonly id: string } | { readonly type: 'ip'; readonly range: Interval };
export interface OracleEdge { readonly src: End; readonly dst: End; readonly conns: ConnSet }

function parseEnd(text: string): End {
  if (text.endsWith(']')) return { type: 'workload', id: text };
  const [lo = '', hi = lo] = text.split('-');
  const a = parseIPv4(lo);
  const b = parseIPv4(hi);
  if (a === undefined || b === undefined) throw new Error(`NCA output: cannot read endpoint "${text}"`);
  return { type: 'ip', range: [a, b] };
}

const PORT_PROTOCOLS: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];

/** One NCA cube `{protocols:TCP, UDP,dst_ports:53,80-90}` (absent dimensions are unrestricted). */
function parseCube(cube: string): ConnSet {
  const fields = new Map(cube.split(/,(?=[a-z_]+:)/).map((f) => [f.slice(0, f.indexOf(':')), f.slice(f.indexOf(':') + 1)] as const));
  const unknown = [...fields.keys()].filter((k) => k !== 'protocols' && k !== 'dst_ports');
  if (unknown.length > 0) throw new Error(`NCA output: dimension(s) ${unknown.join(', ')} not compared`);
  const protocols = fields.has('protocols') ? fields.get('protocols')!.split(',').map((p) => p.trim() as Protocol) : PORT_PROTOCOLS;
  const bad = protocols.filter((p) => !PORT_PROTOCOLS.includes(p));
  if (bad.length > 0) throw new Error(`NCA output: protocol(s) ${bad.join(', ')} not compared`);
  const ports = fields.get('dst_ports')?.split(',').map((r): Interval => {
    const [lo, hi = lo] = r.split('-').map(Number);
    return [lo!, hi!];
  });
  return protocols.reduce((acc, p) => acc.union(ConnSet.of(p, ports === undefined ? undefined : normalize(ports))), ConnSet.none());
}

export function parseNcaConns(text: string): ConnSet {
  if (text === 'All connections') return ConnSet.all();
  if (text === 'No connections') return ConnSet.none();
  if (text.startsWith('All but ')) return ConnSet.all().subtract(parseNcaConns(text.slice('All but '.length)));
  if (!text.startsWith('{') || !text.endsWith('}')) throw new Error(`NCA output: cannot read connections "${text}"`);
  return text.slice(1, -1).split('},{').reduce((acc, cube) => acc.union(parseCube(cube)), ConnSet.none());
}

/** The `src => dst : conns` lines of NCA's `txt_no_fw_rules` output (headers and warnings skipped). */
export function parseNca(text: string): OracleEdge[] {
  return text.split('\n').filter((l) => l.includes(' => ')).map((line) => {
    const m = /^(\S+) => (\S+) : (.+)$/.exec(line.trim());
    if (m === null) throw new Error(`NCA output: cannot read line "${line}"`);
    return { src: parseEnd(m[1]!), dst: parseEnd(m[2]!), conns: parseNcaConns(m[3]!) };
  });
}

/** palisade's analysis in the same form (DNS names dropped: NCA 2.1.0 has no Calico domain rules). */
export function palisadeEdges(a: Analysis): OracleEdge[] {
  return a.connections.flatMap((c) => {
    const end = (p: typeof c.src): End | undefined => (p.type === 'workload' ? { type: 'workload', id: p.id } : p.type === 'ip' ? { type: 'ip', range: p.range } : undefined);
    const src = end(c.src);
    const dst = end(c.dst);
    return src === undefined || dst === undefined ? [] : [{ src, dst, conns: c.conns }];
  });
}

/**
 * Canonical lines independent of how each tool splits IP space and cubes: connections of one pair
 * are unioned; a workload's IP peers with equal connections are merged into one range list.
 */
export function canonical(edges: readonly OracleEdge[]): string[] {
  const label = (end: End): string => (end.type === 'ip' ? 'IP' : end.id);
  // One entry per (src, dst) pair; IP ends keep their range so equal-connection ranges can merge.
  const pairs = new Map<string, { pair: string; range?: Interval; conns: ConnSet }>();
  for (const e of edges) {
    const range = e.src.type === 'ip' ? e.src.range : e.dst.type === 'ip' ? e.dst.range : undefined;
    const pair = `${label(e.src)} => ${label(e.dst)}`;
    const key = range === undefined ? pair : `${pair} ${range.join('-')}`;
    const seen = pairs.get(key);
    pairs.set(key, { pair, ...(range && { range }), conns: (seen?.conns ?? ConnSet.none()).union(e.conns) });
  }
  const lines: string[] = [];
  const ips = new Map<string, Interval[]>();
  for (const { pair, range, conns } of pairs.values()) {
    if (conns.isEmpty()) continue;
    const line = `${pair} : ${conns.toString()}`;
    if (range === undefined) lines.push(line);
    else ips.set(line, [...(ips.get(line) ?? []), range]);
  }
  for (const [line, ranges] of ips) lines.push(`${line} @ ${normalize(ranges).map(formatRange).join(',')}`);
  return lines.sort();
}
