import fs from 'node:fs';
import { median, percentile } from './stats.ts';

/** The measurements of bench/encryption.ts, per server mode and run, and its Markdown report. */

export type Mode = 'off' | 'on';
export const MODES: Mode[] = ['off', 'on'];

export const MEASURES = [
  { key: 'firstFrameCold', label: 'First frame of the 1080p video, cold', target: true },
  { key: 'firstFrameWarm', label: 'First frame of the 1080p video, warm', target: true },
  { key: 'seekCold', label: 'Seek to the middle → new frame, cold', target: false },
  { key: 'seekWarm', label: 'Seek to the middle → new frame, warm', target: false },
  { key: 'pdfCold', label: 'PDF page 1 (300 pages), cold', target: false },
  { key: 'pdfWarm', label: 'PDF page 1 (300 pages), warm', target: false },
  { key: 'listCold', label: 'Listing of 5,000 files (GET /api/files), cold', target: true },
  { key: 'listWarm', label: 'Listing of 5,000 files (GET /api/files), warm', target: true },
] as const;
export type MeasureKey = (typeof MEASURES)[number]['key'];
/** The target for the rows marked `target`: at most this much slower encrypted. */
export const TARGET_PERCENT = 10;

/** samples[mode][measure][run]: ms, null where that run failed. */
export type Samples = Record<Mode, Record<MeasureKey, Array<number | null>>>;

export function emptySamples(): Samples {
  const one = () => Object.fromEntries(MEASURES.map((m) => [m.key, []])) as unknown as Record<MeasureKey, number[]>;
  return { off: one(), on: one() };
}

export interface Row {
  key: MeasureKey;
  label: string;
  target: boolean;
  off: { median: number | null; p95: number | null; n: number };
  on: { median: number | null; p95: number | null; n: number };
  /** on median / off median − 1, in %. */
  overheadPercent: number | null;
  /** The median of on/off − 1 over the runs that have both (the machine's drift cancels), in %. */
  pairedPercent: number | null;
}

export function rows(samples: Samples): Row[] {
  return MEASURES.map(({ key, label, target }) => {
    const stat = (mode: Mode) => {
      const v = samples[mode][key];
      return { median: median(v), p95: percentile(v, 95), n: v.filter((x) => x !== null).length };
    };
    const off = stat('off');
    const on = stat('on');
    const ratios = samples.off[key].map((o, i) => {
      const e = samples.on[key][i];
      return o && e !== null && e !== undefined ? (e / o - 1) * 100 : null;
    });
    return {
      key,
      label,
      target,
      off,
      on,
      overheadPercent: off.median && on.median !== null ? (on.median / off.median - 1) * 100 : null,
      pairedPercent: median(ratios),
    };
  });
}

const ms = (v: number | null) => (v === null ? 'n/a' : v < 100 ? v.toFixed(1) : v.toFixed(0));
const pct = (v: number | null) => (v === null ? 'n/a' : `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(1)} %`);

export function table(list: Row[]): string {
  const head = [
    'Measure',
    'off median (ms)',
    'off p95',
    'on median (ms)',
    'on p95',
    'overhead (medians)',
    'overhead (per-run ratio, median)',
    `target ≤ ${TARGET_PERCENT} %`,
  ];
  const verdict = (r: Row) => {
    if (!r.target) return '–';
    if (r.overheadPercent === null || r.pairedPercent === null) return 'n/a';
    const worst = Math.max(r.overheadPercent ?? Infinity, r.pairedPercent ?? Infinity);
    return worst <= TARGET_PERCENT ? 'met' : 'missed';
  };
  const lines = list.map((r) => [
    r.label,
    ms(r.off.median),
    ms(r.off.p95),
    ms(r.on.median),
    ms(r.on.p95),
    pct(r.overheadPercent),
    pct(r.pairedPercent),
    verdict(r),
  ]);
  return [head, head.map(() => '---'), ...lines].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

/** A few sentences the numbers support, for the report. */
export function reading(
  list: Row[],
  context: { volume: string; cipher: string; spreadPercent: number | null },
): string {
  const get = (k: MeasureKey) => list.find((r) => r.key === k)!;
  /** The per-run ratio, and what it is in ms at the medians. */
  const both = (k: MeasureKey) => {
    const r = get(k);
    const delta = r.on.median !== null && r.off.median !== null ? r.on.median - r.off.median : null;
    return delta === null
      ? pct(r.pairedPercent)
      : `${pct(r.pairedPercent)} (${delta >= 0 ? '+' : '−'}${ms(Math.abs(delta))} ms)`;
  };
  const targetRows = list.filter((r) => r.target);
  const missed = targetRows.filter(
    (r) => Math.max(r.overheadPercent ?? Infinity, r.pairedPercent ?? Infinity) > TARGET_PERCENT,
  );
  return [
    `With ENCRYPTION=on (${context.volume}) the first frame of the 1080p video came ${both('firstFrameCold')} cold and ${both('firstFrameWarm')} warm compared with ENCRYPTION=off, and the 5,000-file listing ${both('listCold')} cold and ${both('listWarm')} warm (median of the per-run ratios; in brackets the difference of the medians).`,
    `A seek to the middle changed by ${both('seekCold')} cold and ${both('seekWarm')} warm, PDF page 1 by ${both('pdfCold')} cold and ${both('pdfWarm')} warm.`,
    missed.length === 0
      ? `The issue's target (≤ ${TARGET_PERCENT} % on first frame and listing) is met on all ${targetRows.length} of those rows.`
      : `The issue's target (≤ ${TARGET_PERCENT} % on first frame and listing) is missed on: ${missed.map((r) => r.label).join('; ')}.`,
    `Encrypted, a cold read is decrypted by the kernel (\`xts(aes)\` = \`${context.cipher}\` here: ${/aesni|vaes/.test(context.cipher) ? 'with AES-NI' : 'a C implementation, no AES-NI'}) below the page cache, whereas a warm read finds plain pages there on both servers, so warm differences are expected to be the machine's noise` +
      (context.spreadPercent === null
        ? '.'
        : ` (the unencrypted server's own p95 is up to ${context.spreadPercent.toFixed(0)} % above its median on this shared 2-core machine).`),
  ]
    .filter(Boolean)
    .join(' ');
}

/**
 * The kernel's implementation of fscrypt's contents cipher, the highest-priority xts(aes) in
 * /proc/crypto: a generic C one (no AES instructions) bounds what a cold read costs.
 */
export function kernelXtsDriver(): string {
  const field = (block: string, name: string) => new RegExp(`^${name}\\s*: (.*)$`, 'm').exec(block)?.[1] ?? '';
  const xts = fs
    .readFileSync('/proc/crypto', 'utf8')
    .split('\n\n')
    .filter((b) => field(b, 'name') === 'xts(aes)')
    .sort((a, b) => Number(field(b, 'priority')) - Number(field(a, 'priority')));
  return xts[0] ? field(xts[0], 'driver') : 'none';
}

/** How far the unencrypted server's p95 lies above its median, at most over the rows (%). */
export function spreadPercent(list: Row[]): number | null {
  const spreads = list.map((r) => (r.off.median && r.off.p95 !== null ? (r.off.p95 / r.off.median - 1) * 100 : null));
  const known = spreads.filter((s): s is number => s !== null);
  return known.length ? Math.max(...known) : null;
}

export interface ReportInput {
  date: Date;
  elapsedS: number;
  command: string;
  machine: string;
  runs: number;
  method: string[];
  table: string;
  reading: string;
  errors: string[];
}

export function renderReport(r: ReportInput): string {
  return [
    '# Encryption at rest: what it costs a session (issue 18)',
    '',
    `- **Date:** ${r.date.toISOString()} (took ${r.elapsedS.toFixed(0)} s)`,
    `- **Command:** \`${r.command}\` (\`make bench-encryption\`)`,
    `- **Machine:** ${r.machine}`,
    '',
    `## Results (${r.runs} runs per mode; ms)`,
    '',
    r.table,
    '',
    '## Reading',
    '',
    r.reading,
    '',
    '## Method',
    '',
    ...r.method.map((m) => `- ${m}`),
    ...(r.errors.length ? ['', '## Failed runs', '', ...r.errors.map((e) => `- ${e}`)] : []),
    '',
  ].join('\n');
}
