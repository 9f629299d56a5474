/** Small statistics helpers; every function ignores null/NaN entries. */

export function clean(values: ReadonlyArray<number | null | undefined>): number[] {
  return values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
}

/** Percentile by linear interpolation between closest ranks (p in 0..100); null if empty. */
export function percentile(values: ReadonlyArray<number | null | undefined>, p: number): number | null {
  const v = clean(values).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const rank = (p / 100) * (v.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return v[lo]! + (v[hi]! - v[lo]!) * (rank - lo);
}

export function median(values: ReadonlyArray<number | null | undefined>): number | null {
  return percentile(values, 50);
}

export function mean(values: ReadonlyArray<number | null | undefined>): number | null {
  const v = clean(values);
  return v.length === 0 ? null : v.reduce((a, b) => a + b, 0) / v.length;
}

export function range(values: ReadonlyArray<number | null | undefined>): [number, number] | null {
  const v = clean(values);
  return v.length === 0 ? null : [Math.min(...v), Math.max(...v)];
}
