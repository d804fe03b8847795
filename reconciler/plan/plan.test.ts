import { describe, expect, it } from 'vitest';
import { keyOf, idOf, type KubeObject, type ResourceKey } from '../../lib/core/resource-id.js';
import { buildDriftReport } from '../report/index.js';
import { plan } from './plan.js';
import type { DesiredSet, Inventory, LiveSet } from './types.js';

const np = (name: string, spec: Record<string, unknown>, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: 'agents', labels: { 'app.kubernetes.io/managed-by': 'palisade' }, ...extra }, spec,
});
const ns = (name: string, labels: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
const map = (...objs: KubeObject[]): Map<ResourceKey, KubeObject> => new Map(objs.map((o) => [keyOf(idOf(o)), o]));
const desiredOf = (...objs: KubeObject[]): DesiredSet => ({ cluster: 'c', revision: 'r', objects: map(...objs), governedNamespaces: ['agents'], admissionPolicies: [], kyvernoPolicies: [], enforcedKinds: [{ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy' }], enforcedClusterKinds: [] });
const liveOf = (objs: KubeObject[], foreign: KubeObject[] = []): LiveSet => ({ observedAt: new Date(0), objects: map(...objs), predicted: new Map(), foreign });
const noInventory: Inventory = { entries: [] };
const withUid = (o: KubeObject, uid: string): KubeObject => ({ ...o, metadata: { ...o.metadata, uid } });
const inventoryOf = (...objs: KubeObject[]): Inventory => ({ entries: objs.map((o) => ({ key: keyOf(idOf(o)), id: idOf(o), uid: String(o.metadata["uid"]), resourceVersion: '' })) });

const deny = { podSelector: {}, policyTypes: ['Ingress', 'Egress'] };

describe('plan', () => {
  it('creates what is missing and keeps what matches, ignoring server bookkeeping', () => {
    const a = np('a', deny);
    const b = np('b', deny);
    const liveB = { ...b, metadata: { ...b.metadata, uid: 'u', resourceVersion: '7', managedFields: [] }, status: {} };
    expect(plan(desiredOf(a, b), liveOf([liveB]), noInventory).changes.map((c) => `${c.op} ${c.id.name}`)).toEqual(['create a', 'keep b']);
  });

  it('reports a field Git does not declare as drift on security kinds, and attributes it', () => {
    const want = np('a', deny);
    const live = np('a', { ...deny, ingress: [{}] }, {
      managedFields: [{ manager: 'kubectl-edit', operation: 'Update', time: '2026-11-22T10:00:00Z', fieldsV1: { 'f:spec': { 'f:ingress': {} } } }],
    });
    const [change] = plan(desiredOf(want), liveOf([live]), noInventory).changes;
    expect(change).toMatchObject({ op: 'update', drift: [{ pointer: '/spec/ingress', op: 'add', after: [{}], manager: 'kubectl-edit', time: '2026-11-22T10:00:00Z' }] });
  });

  it('in merge mode (Namespaces) ignores added labels but not removed or changed ones', () => {
    const want = ns('agents', { 'palisade.dev/agent-namespace': 'true', 'palisade.dev/zone': 'inference' });
    const extra = ns('agents', { 'palisade.dev/agent-namespace': 'true', 'palisade.dev/zone': 'inference', team: 'x' });
    expect(plan(desiredOf(want), liveOf([extra]), noInventory).changes[0]?.op).toBe('keep');
    const removed = ns('agents', { 'palisade.dev/zone': 'inference' });
    expect(plan(desiredOf(want), liveOf([removed]), noInventory).changes[0]).toMatchObject({ op: 'update', drift: [{ pointer: '/metadata/labels/palisade.dev~1agent-namespace', op: 'remove', before: 'true' }] });
  });

  it('merge mode: an undeclared field that weakens a control is drift (Pod Security version pin, quota scopes); others are left alone', () => {
    const want = ns('agents', { 'pod-security.kubernetes.io/enforce': 'baseline' });
    const pinned = ns('agents', { 'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/enforce-version': 'v1.0', team: 'x' });
    expect(plan(desiredOf(want), liveOf([pinned]), noInventory).changes[0]).toMatchObject({ op: 'update', mode: 'merge', drift: [{ pointer: '/metadata/labels/pod-security.kubernetes.io~1enforce-version', op: 'add', after: 'v1.0' }] });
    const quota: KubeObject = { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'gpu', namespace: 'agents' }, spec: { hard: { 'requests.nvidia.com/gpu': '2' } } };
    const scoped = { ...quota, spec: { hard: { 'requests.nvidia.com/gpu': '2' }, scopes: ['BestEffort'] } };
    expect(plan(desiredOf(quota), liveOf([scoped]), noInventory).changes[0]).toMatchObject({ op: 'update', drift: [{ pointer: '/spec/scopes', op: 'add' }] });
    const annotated = { ...quota, metadata: { ...quota.metadata, annotations: { note: 'x' } } };
    expect(plan(desiredOf(quota), liveOf([annotated]), noInventory).changes[0]).toMatchObject({ op: 'keep' });
  });

  it('prunes only recorded objects with the recorded UID, never Namespaces by default', () => {
    const gone = withUid(np('gone', deny), 'u1');
    const forged = withUid(np('forged', deny), 'u2');
    const swapped = withUid(np('swapped', deny), 'live-uid');
    const nsObj = withUid(ns('old', {}), 'u3');
    const inventory: Inventory = { entries: [...inventoryOf(gone, nsObj).entries, { ...inventoryOf(swapped).entries[0]!, uid: 'recorded-uid' }] };
    const desired = desiredOf(...Array.from({ length: 12 }, (_, i) => np(`keep-${i}`, deny)));
    const result = plan(desired, liveOf([gone, forged, swapped, nsObj]), inventory);
    const summary = result.changes.filter((c) => c.op !== 'create').map((c) => `${c.op} ${c.id.name}${c.op === 'skip' ? ` ${c.reason}` : ''}`);
    expect(summary).toEqual(['prune gone', 'skip old namespace-prune-disabled', 'skip swapped uid-mismatch', 'skip forged not-in-applyset']);
  });

  it('refuses a mass prune above the cap unless allowed', () => {
    const old = Array.from({ length: 8 }, (_, i) => withUid(np(`p${i}`, deny), `u${i}`));
    const result = plan(desiredOf(), liveOf(old), inventoryOf(...old));
    expect(result.refusal).toMatch(/refusing to remove 8 objects \(8 prunes of 8 managed objects\): the cap is 2 /);
    expect(result.changes.every((c) => c.op === 'skip' && c.reason === 'mass-prune-refused')).toBe(true);
    expect(buildDriftReport(result).items.map((i) => [i.kind, i.corrected])).toEqual(old.map(() => ['unpruned', false]));
    expect(plan(desiredOf(), liveOf(old), inventoryOf(...old), { allowMassPrune: true }).changes.filter((c) => c.op === 'prune')).toHaveLength(8);
  });

  it('never caps the removal of foreign objects in a namespace palisade already governed (a flood of tampers is still corrected)', () => {
    const mine = withUid(np('palisade-default-deny', deny), 'u0');
    const flood = Array.from({ length: 60 }, (_, i) => np(`open-${i}`, { podSelector: {}, ingress: [{}] }, { labels: {} }));
    const result = plan(desiredOf(mine), liveOf([mine], flood), inventoryOf(mine));
    expect(result.refusal).toBeUndefined();
    expect(result.changes.filter((c) => c.op === 'remove-foreign')).toHaveLength(60);
  });

  it('counts foreign removals in a namespace palisade takes over against the cap, and names the namespace', () => {
    const mine = withUid(np('palisade-default-deny', deny), 'u0');
    const theirs = Array.from({ length: 3 }, (_, i) => ({ ...np(`team-${i}`, { podSelector: {}, ingress: [{}] }, { labels: {} }), metadata: { name: `team-${i}`, namespace: 'payments' } }));
    const desired = { ...desiredOf(mine), governedNamespaces: ['agents', 'payments'] };
    const result = plan(desired, liveOf([mine], theirs), inventoryOf(mine));
    expect(result.refusal).toMatch(/refusing to remove 3 objects \(0 prunes of 1 managed objects, 3 foreign objects in namespaces palisade did not govern before \(payments\)\): the cap is 1 /);
    expect(result.changes.filter((c) => c.op === 'skip' && c.reason === 'mass-prune-refused').map((c) => c.id.name)).toEqual(['team-0', 'team-1', 'team-2']);
    expect(result.changes.filter((c) => c.op === 'keep').map((c) => c.id.name)).toEqual(['palisade-default-deny']);
    expect(buildDriftReport(result).items.map((i) => [i.kind, i.id.name, i.corrected])).toEqual([0, 1, 2].map((i) => ['foreign', `team-${i}`, false]));
    expect(plan(desired, liveOf([mine], theirs), inventoryOf(mine), { allowMassPrune: true }).changes.filter((c) => c.op === 'remove-foreign')).toHaveLength(3);
  });

  it('removes a foreign object whatever palisade labels it wears, and one that took a recorded name with another UID', () => {
    const forged = withUid(np('forged', { podSelector: {}, ingress: [{}], egress: [{}] }, { labels: { 'applyset.kubernetes.io/part-of': 'applyset-x-v1' } }), 'u9');
    const swapped = withUid(np('swapped', { podSelector: {}, ingress: [{}] }), 'live-uid');
    const inventory: Inventory = { entries: [{ ...inventoryOf(swapped).entries[0]!, uid: 'recorded-uid' }] };
    const result = plan(desiredOf(), liveOf([forged, swapped], [forged, swapped]), inventory);
    expect(result.changes.map((c) => `${c.op} ${c.id.name}`)).toEqual(['remove-foreign forged', 'remove-foreign swapped']);
  });

  it('keeps and reports a foreign policy the analysis engine reads as deny-only, unless the cluster opts into removing it', () => {
    const emergency: KubeObject = { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'block-exfil', namespace: 'agents' }, spec: { endpointSelector: {}, egressDeny: [{ toEntities: ['world'] }] } };
    const kept = plan(desiredOf(), liveOf([], [emergency]), noInventory);
    expect(kept.changes.map((c) => `${c.op} ${c.id.name}${c.op === 'skip' ? ` ${c.reason}` : ''}`)).toEqual(['skip block-exfil foreign-narrowing']);
    expect(buildDriftReport(kept).items.map((i) => [i.kind, i.id.name, i.corrected])).toEqual([['foreign', 'block-exfil', false]]);
    expect(plan(desiredOf(), liveOf([], [emergency]), noInventory, { removeNarrowingForeign: true }).changes.map((c) => c.op)).toEqual(['remove-foreign']);
    const sneaky = { ...emergency, spec: { endpointSelector: {}, egressDeny: [{ toEntities: ['world'] }], egress: [{ toEntities: ['cluster'] }] } };
    expect(plan(desiredOf(), liveOf([], [sneaky]), noInventory).changes.map((c) => c.op)).toEqual(['remove-foreign']);
  });

  it('removes foreign objects that widen access', () => {
    const foreign = np('allow-all', { podSelector: {}, ingress: [{}] }, { labels: {} });
    expect(plan(desiredOf(), liveOf([], [foreign]), noInventory).changes).toEqual([expect.objectContaining({ op: 'remove-foreign', reason: expect.stringMatching(/can only widen access/) })]);
  });
});
