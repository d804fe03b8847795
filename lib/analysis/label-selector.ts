/** Kubernetes LabelSelector semantics (matchLabels AND matchExpressions). Pure. */
export type Labels = Readonly<Record<string, string>>;

export interface SelectorRequirement {
  readonly key: string;
  readonly operator: string;
  readonly values?: readonly string[];
}

export interface LabelSelector {
  readonly matchLabels?: Labels;
  readonly matchExpressions?: readonly SelectorRequirement[];
}

function requirementMatches(req: SelectorRequirement, labels: Labels): boolean {
  const value = labels[req.key];
  const values = req.values ?? [];
  switch (req.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    default:
      return false;
  }
}

/** An absent selector matches nothing; an empty one matches everything. */
export function selectorMatches(selector: LabelSelector | undefined | null, labels: Labels): boolean {
  if (selector === undefined || selector === null) return false;
  const plain = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  return plain && (selector.matchExpressions ?? []).every((req) => requirementMatches(req, labels));
}

/** Human-readable `k=v,k2 in (a,b)` form, for explanations. */
export function formatSelector(selector: LabelSelector | undefined | null): string {
  if (selector === undefined || selector === null) return '<none>';
  const parts = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const req of selector.matchExpressions ?? []) {
    const values = (req.values ?? []).join(',');
    parts.push(req.operator === 'Exists' ? req.key : req.operator === 'DoesNotExist' ? `!${req.key}` : `${req.key} ${req.operator.toLowerCase()} (${values})`);
  }
  return parts.length === 0 ? '<all>' : parts.join(',');
}
