/** "512M", "1.5G", "64K" → bytes. Returns NaN for anything else. */
export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([KMG])$/i.exec(text);
  if (!m) return NaN;
  const unit = { K: 2 ** 10, M: 2 ** 20, G: 2 ** 30 }[m[2]!.toUpperCase() as 'K' | 'M' | 'G'];
  return Math.round(Number(m[1]) * unit);
}
