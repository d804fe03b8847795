/**
 * Squid's access decision for a CONNECT or forward request, read from a squid.conf: the subset of
 * directives and ACL types a forward proxy's domain allow-list uses (`http_port … name=`,
 * `myportname`, `dstdomain`, `dstdom_regex`, `port`, `http_access`). A directive or ACL type outside
 * it that `http_access` refers to is reported, never guessed. Pure.
 */
import { hostPattern } from '../../core/hosts.js';

type Acl =
  | { readonly type: 'myportname'; readonly names: readonly string[] }
  | { readonly type: 'dstdomain'; readonly domains: readonly string[] }
  | { readonly type: 'dstdom_regex'; readonly patterns: readonly RegExp[] }
  | { readonly type: 'port'; readonly ranges: ReadonlyArray<readonly [number, number]> }
  | { readonly type: 'all' };

interface AccessRule { readonly allow: boolean; readonly terms: ReadonlyArray<{ readonly acl: string; readonly negated: boolean }> }

export interface SquidConfig {
  /** Listening ports with their `name=` (Squid's default name is the port spec itself). */
  readonly listeners: ReadonlyArray<{ readonly port: number; readonly name: string }>;
  readonly acls: ReadonlyMap<string, Acl>;
  readonly access: readonly AccessRule[];
  /** Host patterns the configuration names, in palisade's notation (`*.example.com` for a one-label regex). */
  readonly hosts: readonly string[];
  /** Every destination port a `port` ACL names. */
  readonly ports: readonly number[];
  readonly problems: readonly string[];
}

const ONE_LABEL = /^\^\[\^\.\]\+\\\.((?:[a-z0-9-]+\\\.)*[a-z0-9-]+)\$$/;
/** palisade's `**.` pattern as its Squid regex: one or more labels under a base. */
const LABELS = /^\^\(\[\^\.\]\+\\\.\)\+((?:[a-z0-9-]+\\\.)*[a-z0-9-]+)\$$/;

function parseAcl(type: string, args: string[]): Acl | string {
  const values = args.filter((a) => !/^-[ni]$/.test(a));
  switch (type) {
    case 'myportname': return { type, names: values };
    case 'dstdomain': return { type, domains: values.map((d) => d.toLowerCase()) };
    case 'dstdom_regex': return { type, patterns: values.map((p) => new RegExp(p, args.includes('-i') ? 'i' : '')) };
    case 'port': return { type, ranges: values.map((v) => { const [lo, hi = lo] = v.split('-').map(Number); return [lo!, hi!] as const; }) };
    default: return `acl type "${type}" is not modelled`;
  }
}

function hostsOfAcl(a: Acl): string[] {
  if (a.type === 'dstdomain') return a.domains.map((d) => (d.startsWith('.') ? d.slice(1) : d));
  if (a.type !== 'dstdom_regex') return [];
  const unescape = (base: string): string => base.replace(/\\\./g, '.');
  return a.patterns.flatMap((r) => {
    const one = ONE_LABEL.exec(r.source);
    if (one) return [`*.${unescape(one[1]!)}`];
    const many = LABELS.exec(r.source);
    return many ? [`**.${unescape(many[1]!)}`] : [];
  });
}

const hostsOf = (acls: ReadonlyMap<string, Acl>): string[] => [...new Set([...acls.values()].flatMap(hostsOfAcl))].sort();

interface Parsed { listeners: Array<{ port: number; name: string }>; acls: Map<string, Acl>; access: AccessRule[]; problems: string[] }

function parseLine(p: Parsed, words: string[], n: number): void {
  const [directive, ...rest] = words;
  if (directive === 'http_port') {
    const spec = rest[0] ?? '';
    const port = Number(spec.slice(spec.lastIndexOf(':') + 1));
    p.listeners.push({ port, name: rest.find((w) => w.startsWith('name='))?.slice(5) ?? spec });
  } else if (directive === 'acl') {
    const [name = '', type = '', ...args] = rest;
    const acl = parseAcl(type, args);
    if (typeof acl === 'string') p.problems.push(`squid.conf line ${n}: ${acl}`);
    else p.acls.set(name, acl);
  } else if (directive === 'http_access') {
    const [action, ...terms] = rest;
    p.access.push({ allow: action === 'allow', terms: terms.map((t) => ({ acl: t.replace(/^!/, ''), negated: t.startsWith('!') })) });
  }
}

export function parseSquidConfig(text: string): SquidConfig {
  const p: Parsed = { listeners: [], acls: new Map([['all', { type: 'all' }]]), access: [], problems: [] };
  text.split('\n').forEach((line, i) => {
    const words = line.replace(/#.*/, '').trim().split(/\s+/).filter((w) => w !== '');
    if (words.length > 0) parseLine(p, words, i + 1);
  });
  for (const r of p.access) for (const t of r.terms) if (!p.acls.has(t.acl)) p.problems.push(`http_access refers to undefined acl "${t.acl}"`);
  const ports = [...new Set([...p.acls.values()].flatMap((a) => (a.type === 'port' ? a.ranges.map(([lo]) => lo) : [])))].sort((a, b) => a - b);
  return { ...p, hosts: hostsOf(p.acls), ports };
}

export interface SquidRequest { readonly listener: string; readonly host: string; readonly port: number }

function domainMatches(domain: string, host: string): boolean {
  return domain.startsWith('.') ? host === domain.slice(1) || host.endsWith(domain) : host === domain;
}

function aclMatches(acl: Acl | undefined, r: SquidRequest): boolean {
  if (acl === undefined) return false;
  const host = r.host.toLowerCase();
  switch (acl.type) {
    case 'all': return true;
    case 'myportname': return acl.names.includes(r.listener);
    case 'dstdomain': return acl.domains.some((d) => domainMatches(d, host));
    case 'dstdom_regex': return acl.patterns.some((re) => re.test(r.host));
    case 'port': return acl.ranges.some(([lo, hi]) => r.port >= lo && r.port <= hi);
  }
}

/**
 * Squid's http_access verdict: the first rule whose ACLs all match decides; when none matches, the
 * opposite of the last rule's action applies (Squid's documented default); no rules at all: deny.
 */
export function squidAllows(conf: SquidConfig, r: SquidRequest): boolean {
  for (const rule of conf.access) {
    if (rule.terms.every((t) => aclMatches(conf.acls.get(t.acl), r) !== t.negated)) return rule.allow;
  }
  const last = conf.access.at(-1);
  return last === undefined ? false : !last.allow;
}

/** A concrete name a host pattern stands for (`*.example.com` → `palisade-probe.example.com`). */
export const sampleName = (pattern: string): string => {
  const { wildcard, base } = hostPattern(pattern);
  return wildcard === 'none' ? pattern : `palisade-probe.${base}`;
};
