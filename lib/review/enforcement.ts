/**
 * Control findings from the rendered objects of both sides, not from the model the head's own code
 * reports: what a cluster enforces is what is applied. One table says, per enforcement kind, how a
 * change of an object is judged; a kind not in the table is not an enforcement object (network
 * policy is judged by reach, elsewhere). Changes of trust (signature attestors, the protect
 * policy's trusted identities, RuntimeClass handlers) are high whichever way they go; other changes
 * are judged by direction where the rendered shape tells it, and are at least listed otherwise.
 */
import type { KubeObject } from '../core/resource-id.js';
import type { Finding, FindingKind, Risk } from './types.js';

type Emit = (f: Omit<Finding, 'cluster'>) => void;

/** What a judge may know of the head besides the object: the pod identities (namespace/ServiceAccount) it still declares. */
interface Head { readonly identities: ReadonlySet<string>; readonly emit: Emit }
type Judge = (before: KubeObject, after: KubeObject, head: Head) => void;

const idOf = (o: KubeObject): string => `${o.kind}/${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;
const json = (v: unknown): string => JSON.stringify(v ?? null);
const specOf = (o: KubeObject): Record<string, unknown> => ((o as { spec?: Record<string, unknown> }).spec ?? {});
const ruleOf = (o: KubeObject): string => o.metadata.annotations?.['palisade.dev/rule'] ?? '';

/** The string literals of a CEL expression, unescaped (`['a', 'b\'c']` → a, b'c). */
export function celStrings(expr: string): string[] {
  return [...expr.matchAll(/'((?:[^'\\]|\\.)*)'/g)].map((m) => (m[1] ?? '').replace(/\\u([0-9a-f]{4})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16))).replace(/\\(.)/g, '$1'));
}

/** A parenthesized group nesting at most two levels (what palisade's label and identity checks are). */
const GROUP = String.raw`\((?:[^()]|\((?:[^()]|\([^()]*\))*\))*\)`;
/** The same group repeated with `||` or `&&`: one check per agent or label, however many there are. */
const REPEATED = new RegExp(String.raw`(${GROUP})(?:\s*(?:\|\||&&)\s*\1)+`, 'g');

/**
 * The expression with every string literal, list or map literal of literals blanked and repeated
 * checks folded: its shape. Two expressions of one shape differ only in the values they check.
 */
function shape(expr: string): string {
  let out = expr
    .replace(/'(?:[^'\\]|\\.)*'/g, "''")
    .replace(/\[(?:''(?:,\s*)?)*\]/g, '[]')
    .replace(/\{(?:''\s*:\s*(?:''|\[\])(?:,\s*)?)*\}/g, '{}');
  for (let prev = ''; prev !== out;) { prev = out; out = out.replace(REPEATED, '$1'); }
  return out;
}

interface CelBody { readonly failurePolicy: string; readonly parts: ReadonlyArray<readonly [string, string]> }

/** Every CEL expression of an admission policy by where it sits (variables, validations, conditions). */
function celBody(o: KubeObject): CelBody {
  const spec = specOf(o) as { failurePolicy?: string; variables?: Array<{ name: string; expression: string }>; validations?: Array<{ expression: string }>; matchConditions?: Array<{ name: string; expression: string }>; matchConstraints?: unknown };
  const parts: Array<readonly [string, string]> = [
    ...(spec.variables ?? []).map((v) => [`variables.${v.name}`, v.expression] as const),
    ...(spec.validations ?? []).map((v, i) => [`validations[${i}]`, v.expression] as const),
    ...(spec.matchConditions ?? []).map((c) => [`matchConditions.${c.name}`, c.expression] as const),
    ['matchConstraints', json(spec.matchConstraints)] as const,
  ];
  return { failurePolicy: spec.failurePolicy ?? 'Fail', parts };
}

const added = (before: readonly string[], after: readonly string[]): string[] => [...new Set(after.filter((x) => !before.includes(x)))];

const literals = (body: CelBody, key: string): string[] => celStrings(body.parts.find(([k]) => k === key)?.[1] ?? '');

/** Pod identities a rule stopped judging while the head still declares them (a deleted agent is no weakening). */
function uncovered(b: CelBody, a: CelBody, head: Head): string[] {
  return added(literals(a, 'matchConditions.runs-as-agent'), literals(b, 'matchConditions.runs-as-agent')).filter((id) => head.identities.has(id));
}

/** A registry allow-list (`variables.allowed`) admitting prefixes no old one covered, or judging fewer agents. */
function registryDirection(b: CelBody, a: CelBody, subject: string, head: Head): void {
  const before = literals(b, 'variables.allowed');
  const widened = literals(a, 'variables.allowed').filter((p) => !before.some((old) => p.startsWith(old)));
  if (widened.length > 0) head.emit({ kind: 'registry-widened', risk: 'high', subject, message: `${subject} now admits images from ${widened.join(', ')}` });
  const dropped = uncovered(b, a, head);
  if (dropped.length > 0) head.emit({ kind: 'registry-widened', risk: 'medium', subject, message: `${subject} no longer judges the pods of ${dropped.join(', ')}` });
}

/** The protect policy: an identity added to the trusted ones, or a kind no longer protected. */
function trustDirection(b: CelBody, a: CelBody, subject: string, head: Head): void {
  const more = added(literals(b, 'variables.trusted'), literals(a, 'variables.trusted'));
  if (more.length > 0) head.emit({ kind: 'trust-widened', risk: 'high', subject, message: `${subject} now trusts ${more.join(', ')} to change palisade's objects and policies` });
  const unprotected = added(literals(a, 'variables.enforced'), literals(b, 'variables.enforced'));
  if (unprotected.length > 0) head.emit({ kind: 'trust-widened', risk: 'high', subject, message: `${subject} no longer protects ${unprotected.join(', ')}` });
}

/** Any rule family: a pod identity it judged and no longer does (the control no longer applies to that agent). */
function coverageDirection(b: CelBody, a: CelBody, subject: string, head: Head): void {
  const dropped = uncovered(b, a, head);
  if (dropped.length > 0) head.emit({ kind: 'admission-weakened', risk: 'medium', subject, message: `${subject} no longer judges the pods of ${dropped.join(', ')}` });
}

/** Direction readers for palisade's rule families whose literals say which way a change goes. */
const DIRECTION: ReadonlyArray<readonly [prefix: string, read: (b: CelBody, a: CelBody, subject: string, head: Head) => void]> = [
  ['admission:registry-allowlist:', registryDirection],
  ['guardrail:protect', trustDirection],
];

/**
 * ValidatingAdmissionPolicy and Kyverno ValidatingPolicy: failing open is high; a change of an
 * expression's shape (beyond its literals) is medium; a change of literals only is read for
 * direction where the family is known, and listed (low) otherwise.
 */
const judgeCelPolicy: Judge = (before, after, head) => {
  const { emit } = head;
  const subject = idOf(after);
  const b = celBody(before);
  const a = celBody(after);
  if (b.failurePolicy === 'Fail' && a.failurePolicy !== 'Fail') emit({ kind: 'admission-weakened', risk: 'high', subject, message: `${subject} now fails open (failurePolicy ${a.failurePolicy})` });
  const changed = a.parts.filter(([k, e]) => b.parts.find(([bk]) => bk === k)?.[1] !== e).map(([k]) => k);
  const gone = b.parts.filter(([k]) => !a.parts.some(([ak]) => ak === k)).map(([k]) => k);
  if (changed.length === 0 && gone.length === 0) return;
  const reshaped = [...gone, ...changed.filter((k) => shape(b.parts.find(([bk]) => bk === k)?.[1] ?? '') !== shape(a.parts.find(([ak]) => ak === k)?.[1] ?? ''))];
  if (reshaped.length > 0) {
    emit({ kind: 'admission-weakened', risk: 'medium', subject, message: `${subject}: the rule itself changed (${reshaped.join(', ')}); judge the new CEL in the object diff` });
    return;
  }
  const reader = DIRECTION.find(([prefix]) => ruleOf(after).startsWith(prefix))?.[1] ?? coverageDirection;
  reader(b, a, subject, head);
  emit({ kind: 'enforcement-changed', risk: 'low', subject, message: `${subject}: the values it checks changed (${changed.join(', ')})` });
};

/** Any difference of the listed fields is a finding of the given kind and risk. */
const anyChange = (fields: readonly string[], kind: FindingKind, risk: Risk, what: string): Judge => (before, after, { emit }) => {
  const get = (o: KubeObject, f: string): unknown => (o as unknown as Record<string, unknown>)[f];
  const changed = fields.filter((f) => json(get(before, f)) !== json(get(after, f)));
  if (changed.length > 0) emit({ kind, risk, subject: idOf(after), message: `${idOf(after)}: ${what} changed (${changed.join(', ')})` });
};

/** A change of `spec` (of the listed fields only, when given). */
const specChange = (kind: FindingKind, risk: Risk, what: string, only?: readonly string[]): Judge => (before, after, { emit }) => {
  const b = specOf(before);
  const a = specOf(after);
  const changed = (only ?? [...new Set([...Object.keys(b), ...Object.keys(a)])]).filter((k) => json(b[k]) !== json(a[k])).sort();
  if (changed.length > 0) emit({ kind, risk, subject: idOf(after), message: `${idOf(after)}: ${what} changed (spec.${changed.join(', spec.')})` });
};

/** Values matched per hook and operator of a Tetragon policy (`bprm_check_security NotEqual` → allowed executables). */
function tracingValues(o: KubeObject): Map<string, string[]> {
  type Selector = { matchArgs?: Array<{ operator?: string; values?: string[] }> };
  const spec = specOf(o) as { lsmhooks?: Array<{ hook?: string; selectors?: Selector[] }>; kprobes?: Array<{ call?: string; selectors?: Selector[] }> };
  const out = new Map<string, string[]>();
  for (const h of [...(spec.lsmhooks ?? []).map((x) => ({ at: x.hook ?? '', selectors: x.selectors })), ...(spec.kprobes ?? []).map((x) => ({ at: x.call ?? '', selectors: x.selectors }))]) {
    for (const m of (h.selectors ?? []).flatMap((x) => x.matchArgs ?? [])) {
      const key = `${h.at} ${m.operator ?? ''}`;
      out.set(key, [...(out.get(key) ?? []), ...(m.values ?? [])]);
    }
  }
  return out;
}

/** Operators whose values are exceptions (what may run): more values is looser. The others list what is blocked: fewer is looser. */
const ALLOW_LIST_OPERATORS = new Set(['NotEqual', 'NotPrefix', 'NotPostfix', 'NotIn']);

/**
 * A Tetragon runtime guard: an allow-list that grew or a block-list that shrank is looser
 * (medium); a changed shape (hooks, operators, actions) is medium too; a tightening is listed.
 */
const judgeTracing: Judge = (before, after, { emit }) => {
  if (json(specOf(before)) === json(specOf(after))) return;
  const subject = idOf(after);
  const b = tracingValues(before);
  const a = tracingValues(after);
  const stripped = (o: KubeObject): string => json(specOf(o)).replace(/"values":\[[^\]]*\]/g, '"values":[]');
  if (stripped(before) !== stripped(after) || [...b.keys()].sort().join() !== [...a.keys()].sort().join()) {
    emit({ kind: 'runtime-relaxed', risk: 'medium', subject, message: `${subject}: the runtime guard's hooks or actions changed; judge it in the object diff` });
    return;
  }
  const looser = [...a].flatMap(([key, values]) => {
    const old = b.get(key) ?? [];
    const [op] = key.split(' ').slice(-1);
    const diff = ALLOW_LIST_OPERATORS.has(op ?? '') ? added(old, values) : added(values, old);
    return diff.length === 0 ? [] : [`${ALLOW_LIST_OPERATORS.has(op ?? '') ? 'now allows' : 'no longer blocks'} ${diff.join(', ')} (${key})`];
  });
  if (looser.length > 0) emit({ kind: 'runtime-relaxed', risk: 'medium', subject, message: `${subject} ${looser.join('; ')}` });
  else emit({ kind: 'enforcement-changed', risk: 'low', subject, message: `${subject}: the runtime guard changed, tighter` });
};

/** The enforcement kinds and how a change of one is judged. Removal is judged apart (see below). */
const JUDGES: Readonly<Record<string, Judge>> = {
  ValidatingAdmissionPolicy: judgeCelPolicy,
  ValidatingPolicy: judgeCelPolicy,
  ValidatingAdmissionPolicyBinding: specChange('admission-weakened', 'medium', 'where the policy applies'),
  ImageValidatingPolicy: (before, after, head) => {
    specChange('signature-dropped', 'high', 'image signature trust', ['attestors', 'attestations', 'matchImageReferences', 'validations', 'failurePolicy', 'validationActions'])(before, after, head);
    coverageDirection(celBody(before), celBody(after), idOf(after), head);
  },
  RuntimeClass: anyChange(['handler', 'scheduling', 'overhead'], 'sandbox-removed', 'high', 'the sandbox runtime'),
  TracingPolicy: judgeTracing,
  TracingPolicyNamespaced: judgeTracing,
  PolicyException: specChange('admission-weakened', 'high', 'an admission exception'),
};

/** Kinds whose removal another check already reports (bindings and Kyverno policies, by validationActions). */
const REMOVAL_JUDGED_ELSEWHERE: ReadonlySet<string> = new Set(['ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'ValidatingPolicy', 'ImageValidatingPolicy', 'PolicyException']);

/**
 * Weakenings of enforcement between two syntheses of one cluster, from their objects: each object
 * of an enforcement kind present on both sides is judged by its kind's entry; one removed (where
 * no other check reports it) is high; a PolicyException added is high.
 */
export function enforcementFindings(before: readonly KubeObject[], after: readonly KubeObject[]): Array<Omit<Finding, 'cluster'>> {
  const out: Array<Omit<Finding, 'cluster'>> = [];
  const emit: Emit = (f) => out.push(f);
  const head: Head = { emit, identities: new Set(after.filter((o) => o.kind === 'ServiceAccount').map((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`)) };
  const now = new Map(after.map((o) => [idOf(o), o]));
  const was = new Set(before.map(idOf));
  for (const b of before) {
    const judge = JUDGES[b.kind];
    if (judge === undefined) continue;
    const a = now.get(idOf(b));
    if (a !== undefined) judge(b, a, head);
    else if (!REMOVAL_JUDGED_ELSEWHERE.has(b.kind)) emit({ kind: 'enforcement-removed', risk: 'high', subject: idOf(b), message: `${idOf(b)} removed` });
  }
  for (const a of after) {
    if (a.kind === 'PolicyException' && !was.has(idOf(a))) emit({ kind: 'admission-weakened', risk: 'high', subject: idOf(a), message: `${idOf(a)} added: it exempts requests from admission policies` });
  }
  return out;
}
