/**
 * Cilium's identity-label filter (cilium-config `labels`, pkg/labelsfilter): which pod and namespace
 * labels are part of an endpoint's security identity. Only identity labels can be selected by
 * policy; the others are "information labels", invisible to every selector.
 *
 * Semantics (labelsfilter.filterLabels): each pattern is `[source:][!]regexp`, matched from the
 * start of the label key. A label is an identity label when the longest matching inclusive pattern
 * is longer than the shortest matching `!` pattern, or when no inclusive pattern was configured by
 * the user and no `!` pattern matches. Cilium's built-in list (defaultLabelPrefixCfg) always applies.
 */

interface Pattern { readonly source?: string; readonly ignore: boolean; readonly expr: RegExp }

/** Cilium's built-in patterns (v1.16 to v1.20). */
const DEFAULTS = [
  'reserved:.*', 'io\\.kubernetes\\.pod\\.namespace', 'io\\.cilium\\.k8s\\.namespace\\.labels', 'app\\.kubernetes\\.io',
  'io\\.cilium\\.k8s\\.policy\\.cluster', 'io\\.cilium\\.k8s\\.policy\\.serviceaccount',
  '!io\\.kubernetes', '!kubernetes\\.io', '!statefulset\\.kubernetes\\.io/pod-name', '!apps\\.kubernetes\\.io/pod-index',
  '!batch\\.kubernetes\\.io/job-completion-index', '!batch\\.kubernetes\\.io/controller-uid', '!.*beta\\.kubernetes\\.io', '!k8s\\.io',
  '!pod-template-generation', '!pod-template-hash', '!controller-revision-hash', '!controller-uid', '!annotation.*', '!etcd_node',
  '!topology\\.kubernetes\\.io',
] as const;

function parse(text: string): Pattern {
  const colon = text.indexOf(':');
  const source = colon >= 0 ? text.slice(0, colon) : undefined;
  let prefix = colon >= 0 ? text.slice(colon + 1) : text;
  const ignore = prefix.startsWith('!');
  if (ignore) prefix = prefix.slice(1);
  return { ...(source === undefined ? {} : { source }), ignore, expr: new RegExp(prefix) };
}

/** Length of the match of `p` at the start of `key`; undefined when it does not match there. */
function matchLength(p: Pattern, source: string, key: string): number | undefined {
  if (p.source !== undefined && p.source !== source) return undefined;
  const m = p.expr.exec(key);
  return m !== null && m.index === 0 ? m[0].length : undefined;
}

export interface LabelFilter {
  /** Whether a label with this key (source `k8s`) is part of the identity. */
  keeps(key: string): boolean;
}

/** The filter of a cilium-config `labels` value (space-separated patterns; empty: the built-in list). */
export function labelFilter(configured: string): LabelFilter {
  const user = configured.split(/\s+/).filter((s) => s.length > 0).map(parse);
  const patterns = [...DEFAULTS.map(parse), ...user];
  const whitelist = user.some((p) => !p.ignore);
  return {
    keeps(key: string): boolean {
      let included = 0;
      let ignored = 0;
      for (const p of patterns) {
        const n = matchLength(p, 'k8s', key);
        if (n === undefined) continue;
        if (p.ignore) ignored = ignored === 0 || n < ignored ? n : ignored;
        else included = Math.max(included, n);
      }
      return (!whitelist && ignored === 0) || included > ignored;
    },
  };
}
