/** "512M", "1.5G", "64K" → bytes. Returns NaN for anything else. */
export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([KMG])$/i.exec(text);
  if (!m) return NaN;
  const unit = { K: 2 ** 10, M: 2 ** 20, G: 2 ** 30 }[m[2]!.toUpperCase() as 'K' | 'M' | 'G'];
  return Math.round(Number(m[1]) * unit);
}

export type DurationUnit = 'ms' | 's' | 'm' | 'h' | 'd';

const MS: Record<DurationUnit, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Every duration setting is read by this one function: "500ms", "90s", "30m", "12h", "7d" →
 * milliseconds. A bare number is accepted only where the variable's name carries its unit
 * (`PEER_GRACE_MS=30000`, `KEYFRAME_INTERVAL_S=2`, `TRASH_RETENTION_DAYS=30`): `bareUnit`.
 * Returns NaN for anything else.
 */
export function parseDuration(text: string, bareUnit?: DurationUnit): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!m) return NaN;
  const unit = (m[2] as DurationUnit | undefined) ?? bareUnit;
  if (!unit) return NaN;
  return Math.round(Number(m[1]) * MS[unit]);
}
