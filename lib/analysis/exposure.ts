import { ConnSet, parseProtocol } from './connections.js';
import type { SourcedObject } from './inputs.js';
import { selectorMatches, type LabelSelector } from './label-selector.js';
import { get, list, portValue, type Obj } from './policies/common.js';
import type { Workload } from './topology.js';
import { namespaceOf } from './workloads.js';

/** Ports the ingress controller reaches, per workload id, from Ingress and OpenShift Route objects. */
export function ingressExposure(objects: readonly SourcedObject[], workloads: readonly Workload[]): Map<string, ConnSet> {
  const services = new Map<string, Obj>();
  for (const { object } of objects) if (object['kind'] === 'Service') services.set(`${namespaceOf(object)}/${String(get(object, 'metadata', 'name'))}`, object);
  const out = new Map<string, ConnSet>();
  const expose = (ns: string, service: string, port: { number?: number; name?: string } | undefined): void => {
    const svc = services.get(`${ns}/${service}`);
    if (svc === undefined) return;
    const selector = { matchLabels: get(svc, 'spec', 'selector') ?? {} } as LabelSelector;
    if (Object.keys(selector.matchLabels ?? {}).length === 0) return;
    for (const w of workloads) {
      if (w.namespace !== ns || !selectorMatches(selector, w.labels)) continue;
      const conns = servicePorts(svc, w, port);
      out.set(w.id, (out.get(w.id) ?? ConnSet.none()).union(conns));
    }
  };
  for (const { object } of objects) {
    const ns = namespaceOf(object);
    if (object['kind'] === 'Ingress') for (const b of ingressBackends(object)) expose(ns, b.service, b.port);
    if (object['kind'] === 'Route') {
      const to = get(object, 'spec', 'to', 'name');
      const target = get(object, 'spec', 'port', 'targetPort');
      if (typeof to === 'string') expose(ns, to, target === undefined ? undefined : portValue(target));
    }
  }
  return out;
}

function ingressBackends(ingress: Obj): Array<{ service: string; port: { number?: number; name?: string } }> {
  const backends: unknown[] = [get(ingress, 'spec', 'defaultBackend')];
  for (const rule of list(get(ingress, 'spec', 'rules'))) for (const path of list(get(rule, 'http', 'paths'))) backends.push(get(path, 'backend'));
  return backends.flatMap((b) => {
    const name = get(b, 'service', 'name');
    if (typeof name !== 'string') return [];
    const port = get(b, 'service', 'port');
    return [{ service: name, port: get(port, 'number') !== undefined ? { number: Number(get(port, 'number')) } : { name: String(get(port, 'name')) } }];
  });
}

/**
 * Target ports on `w` of the service ports `port` picks (all when undefined). A Route's
 * `targetPort` may name a service port or give a target port number.
 */
type PortRef = { number?: number; name?: string } | undefined;

/** Whether service port `sp` is the one `port` refers to (by name, service port or target port). */
function chosen(sp: unknown, target: { number?: number }, port: PortRef): boolean {
  if (port === undefined) return true;
  const byName = port.name !== undefined && get(sp, 'name') === port.name;
  return byName || (port.number !== undefined && (Number(get(sp, 'port')) === port.number || target.number === port.number));
}

/** A named target port resolves to the workload's container ports of that name. */
function namedPorts(w: Workload, name: string | undefined): ConnSet {
  return w.ports.filter((cp) => cp.name === name).reduce((c, cp) => c.union(ConnSet.port(cp.protocol, cp.port)), ConnSet.none());
}

function servicePorts(svc: Obj, w: Workload, port: PortRef): ConnSet {
  let conns = ConnSet.none();
  for (const sp of list(get(svc, 'spec', 'ports'))) {
    const target = portValue(get(sp, 'targetPort') ?? get(sp, 'port'));
    if (!chosen(sp, target, port)) continue;
    const protocol = parseProtocol(get(sp, 'protocol')) ?? 'TCP';
    conns = conns.union(target.number !== undefined ? ConnSet.port(protocol, target.number) : namedPorts(w, target.name));
  }
  return conns;
}
