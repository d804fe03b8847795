import type { HttpMethod, HttpRule, PortSpec, Protocol } from '../model/model.js';
import { PalisadeError } from '../core/errors.js';
import { hostPattern } from '../core/hosts.js';

function checkPort(n: number, what: string): void {
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    throw new PalisadeError('InvalidInput', `Invalid ${what} ${n}: ports are integers from 1 to 65535.`);
  }
}

/** A port or port range with its protocol. `Port.tcp(443)`, `Port.udp(53)`, `Port.tcpRange(8000, 8080)`. */
export class Port {
  public static tcp(port: number): Port { return Port.of('TCP', port); }
  public static udp(port: number): Port { return Port.of('UDP', port); }
  public static tcpRange(from: number, to: number): Port { return Port.of('TCP', from, to); }

  public static of(protocol: Protocol, port: number, endPort?: number): Port {
    checkPort(port, 'port');
    if (endPort !== undefined) {
      checkPort(endPort, 'endPort');
      if (endPort < port) throw new PalisadeError('InvalidInput', `Invalid port range ${port}-${endPort}: the end is below the start. Did you mean ${endPort}-${port}?`);
    }
    return new Port(endPort === undefined || endPort === port ? { port, protocol } : { port, endPort, protocol });
  }

  private constructor(public readonly spec: PortSpec) {}

  public toString(): string {
    return `${this.spec.protocol} ${this.spec.port}${this.spec.endPort === undefined ? '' : `-${this.spec.endPort}`}`;
  }
}

/** An allowed HTTP request (L7). Paths are POSIX extended regexes matched against the whole path. */
export class Http {
  public static get(path?: string): Http { return Http.of('GET', path); }
  public static post(path?: string): Http { return Http.of('POST', path); }
  public static put(path?: string): Http { return Http.of('PUT', path); }
  public static delete(path?: string): Http { return Http.of('DELETE', path); }
  /** Any method on `path`. */
  public static path(path: string): Http { return Http.of(undefined, path); }

  public static of(method: HttpMethod | undefined, path: string | undefined): Http {
    if (path !== undefined) {
      if (!path.startsWith('/')) throw new PalisadeError('InvalidInput', `Invalid HTTP path "${path}": paths start with "/". Did you mean "/${path}"?`);
      try { new RegExp(`^${path}$`); } catch { throw new PalisadeError('InvalidInput', `Invalid HTTP path regex "${path}".`); }
    }
    return new Http({ ...(method ? { method } : {}), ...(path !== undefined ? { path } : {}) });
  }

  private constructor(public readonly rule: HttpRule) {}
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** RFC 1123 label check used for names, namespaces and service accounts. */
export function isDnsLabel(s: string): boolean {
  return DNS_LABEL.test(s);
}

/** A DNS name (`api.example.com`), or one leading wildcard: `*.example.com` (one label), `**.example.com` (one or more). */
export function isHostPattern(s: string): boolean {
  const host = hostPattern(s).base;
  const labels = host.split('.');
  return labels.length >= 2 && labels.every((l) => DNS_LABEL.test(l)) && !host.includes('*');
}

const LABEL_KEY = /^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

/** Problems with a label map, e.g. `pod label "app": value "a b" is not a valid label value`. */
export function labelProblems(labels: Readonly<Record<string, string>>, what: string): string[] {
  const problems: string[] = [];
  for (const [k, v] of Object.entries(labels)) {
    if (!LABEL_KEY.test(k)) problems.push(`${what} key "${k}" is not a valid label key`);
    if (!LABEL_VALUE.test(v)) problems.push(`${what} "${k}": value "${v}" is not a valid label value`);
  }
  return problems;
}
