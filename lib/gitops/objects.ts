import type { KubeObject } from '../core/resource-id.js';
import { LABELS, MANAGED_BY_VALUE } from '../core/labels.js';
import type { GitOpsConfig } from './config.js';

/** Where a cluster's manifests are in Git for the configured layout. */
export function sourceOf(c: GitOpsConfig, cluster: string): { revision: string; path: string } {
  return c.layout === 'dist' ? { revision: c.branch, path: `dist/${cluster}` } : { revision: c.renderedBranch, path: cluster };
}

const labels = { [LABELS.managedBy]: MANAGED_BY_VALUE };

/**
 * Argo CD Application per cluster (wave -1, so an app-of-apps syncs policies before the apps they
 * govern), with server-side apply, self-heal and prune; no ignoreDifferences: palisade's objects
 * are fully specified.
 */
export function argoApplication(c: GitOpsConfig, cluster: string): KubeObject {
  const src = sourceOf(c, cluster);
  return {
    apiVersion: 'argoproj.io/v1alpha1', kind: 'Application',
    metadata: { name: `palisade-${cluster}`, namespace: c.argocd.namespace, labels: { ...labels, [LABELS.cluster]: cluster }, annotations: { 'argocd.argoproj.io/sync-wave': '-1' } },
    spec: {
      project: c.argocd.project,
      source: { repoURL: c.repoURL, targetRevision: src.revision, path: src.path },
      destination: { name: cluster, namespace: 'default' },
      syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['ServerSideApply=true', 'PruneLast=true', 'RespectIgnoreDifferences=false'] },
    },
  };
}

/** One ApplicationSet covering every cluster (list generator). */
export function argoApplicationSet(c: GitOpsConfig, clusters: readonly string[]): KubeObject {
  const src = sourceOf(c, '{{cluster}}');
  return {
    apiVersion: 'argoproj.io/v1alpha1', kind: 'ApplicationSet',
    metadata: { name: 'palisade', namespace: c.argocd.namespace, labels },
    spec: {
      generators: [{ list: { elements: clusters.map((cluster) => ({ cluster })) } }],
      template: {
        metadata: { name: 'palisade-{{cluster}}', labels: { [LABELS.cluster]: '{{cluster}}' } },
        spec: {
          project: c.argocd.project,
          source: { repoURL: c.repoURL, targetRevision: src.revision, path: src.path },
          destination: { name: '{{cluster}}', namespace: 'default' },
          syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['ServerSideApply=true', 'PruneLast=true'] },
        },
      },
    },
  };
}

/**
 * Flux GitRepository + Kustomization for a cluster. `wait: true` makes the Kustomization Ready only
 * when every policy is applied, so application Kustomizations can `dependsOn: [{name: palisade-<cluster>}]`.
 */
export function fluxObjects(c: GitOpsConfig, cluster: string): KubeObject[] {
  const src = sourceOf(c, cluster);
  const name = `palisade-${cluster}`;
  return [
    { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository', metadata: { name, namespace: c.flux.namespace, labels }, spec: { url: c.repoURL, interval: c.flux.interval, ref: { branch: src.revision } } },
    {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: { name, namespace: c.flux.namespace, labels },
      spec: { interval: c.flux.interval, sourceRef: { kind: 'GitRepository', name }, path: `./${src.path}`, prune: true, wait: true, timeout: '5m', force: false },
    },
  ];
}

/** Sync wave of a synthesized object by apply stage: namespaces, classes, policies, admission, rest. */
export const SYNC_WAVES: Readonly<Record<string, string>> = { namespaces: '-4', classes: '-3', policies: '-2', admission: '-1', rest: '0', protection: '1' };
