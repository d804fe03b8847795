/** Closed integer intervals [lo, hi], kept sorted, disjoint and non-adjacent. Pure and immutable. */
export type Interval = readonly [number, number];
export type IntervalList = readonly Interval[];

export function normalize(list: readonly Interval[]): IntervalList {
  const sorted = [...list].filter(([lo, hi]) => lo <= hi).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out: Array<[number, number]> = [];
  for (const [lo, hi] of sorted) {
    const last = out.at(-1);
    if (last !== undefined && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

export function union(a: IntervalList, b: IntervalList): IntervalList {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  return normalize([...a, ...b]);
}

export function intersect(a: IntervalList, b: IntervalList): IntervalList {
  const out: Array<[number, number]> = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const [alo, ahi] = a[i]!;
    const [blo, bhi] = b[j]!;
    const lo = Math.max(alo, blo);
    const hi = Math.min(ahi, bhi);
    if (lo <= hi) out.push([lo, hi]);
    if (ahi < bhi) i += 1;
    else j += 1;
  }
  return out;
}

function cut([lo, hi]: Interval, [blo, bhi]: Interval): Array<[number, number]> {
  if (bhi < lo || blo > hi) return [[lo, hi]];
  const out: Array<[number, number]> = [];
  if (lo < blo) out.push([lo, blo - 1]);
  if (bhi < hi) out.push([bhi + 1, hi]);
  return out;
}

export function subtract(a: IntervalList, b: IntervalList): IntervalList {
  let out: Array<[number, number]> = a.map(([lo, hi]) => [lo, hi]);
  for (const [blo, bhi] of b) {
    const next: Array<[number, number]> = [];
    for (const [lo, hi] of out) next.push(...cut([lo, hi], [blo, bhi]));
    out = next;
  }
  return out;
}

export function equals(a: IntervalList, b: IntervalList): boolean {
  return a.length === b.length && a.every(([lo, hi], i) => lo === b[i]![0] && hi === b[i]![1]);
}

export function contains(list: IntervalList, value: number): boolean {
  return list.some(([lo, hi]) => lo <= value && value <= hi);
}
