/** "512M", "1.5G", "64K" → bytes. Returns NaN for anything else. */
export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([KMG])$/i.exec(text);
  if (!m) return NaN;
  const unit = { K: 2 ** 10, M: 2 ** 20, G: 2 ** 30 }[m[2]!.toUpperCase() as 'K' | 'M' | 'G'];
  return Math.round(Number(m[1]) * unit);
}

/** "90s", "30m", "12h", "7d" → milliseconds. Returns NaN for anything else. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(s|m|h|d)$/.exec(text);
  if (!m) return NaN;
  const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 's' | 'm' | 'h' | 'd'];
  return Math.round(Number(m[1]) * unit);
}
