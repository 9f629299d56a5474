/** Tables and the markdown report of bench/encryption-candidates.ts. */
import type { Candidate, CandidateKey } from './encryption-mounts.ts';
import { median, percentile } from './stats.ts';

export const METRICS = [
  { key: 'firstFrameCold', label: 'First frame, cold (ms)', video: true },
  { key: 'firstFrameWarm', label: 'First frame, warm (ms)', video: true },
  { key: 'seekCold', label: 'Seek to middle, cold (ms)', video: true },
  { key: 'seekWarm', label: 'Seek to middle, warm (ms)', video: true },
  { key: 'readCold', label: 'Sequential read, cold (MB/s; median / p5)', video: true },
  { key: 'listCold', label: 'Listing, cold (ms)', video: false },
  { key: 'listWarm', label: 'Listing, warm (ms)', video: false },
] as const;

export type MetricKey = (typeof METRICS)[number]['key'];
export type Samples = Record<MetricKey, number[]>;

export const emptySamples = (): Samples => ({
  firstFrameCold: [],
  firstFrameWarm: [],
  seekCold: [],
  seekWarm: [],
  readCold: [],
  listCold: [],
  listWarm: [],
});

const isThroughput = (key: MetricKey) => key === 'readCold';

function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

const fmt = (v: number | null): string => (v === null ? 'n/a' : v >= 100 ? v.toFixed(0) : v.toFixed(1));

/** "median / p95" of times; "median / p5" of throughput (both: the slow end). */
function cell(values: number[], key: MetricKey): string {
  if (values.length === 0) return '–';
  return `${fmt(median(values))} / ${fmt(percentile(values, isThroughput(key) ? 5 : 95))}`;
}

export function resultsTable(candidates: Candidate[], samples: Map<CandidateKey, Samples>): string {
  return table(
    ['Candidate', ...METRICS.map((m) => m.label)],
    candidates.map((c) => [c.label, ...METRICS.map((m) => cell(samples.get(c.key)![m.key], m.key))]),
  );
}

/**
 * Extra time against `base`, in %, from the medians: for a throughput the extra time to read the
 * same bytes. Null when either has no samples.
 */
export function overhead(of: Samples, base: Samples, key: MetricKey): number | null {
  const a = median(of[key]);
  const b = median(base[key]);
  if (a === null || b === null || a <= 0 || b <= 0) return null;
  return isThroughput(key) ? (b / a - 1) * 100 : (a / b - 1) * 100;
}

const pct = (v: number | null): string => (v === null ? 'n/a' : `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(0)} %`);

/** Rows: every candidate against plain ext4, and fscrypt against ext4 on the same kind of loop image. */
export function overheadTable(candidates: Candidate[], samples: Map<CandidateKey, Samples>): string {
  const ext4 = samples.get('ext4')!;
  const loop = samples.get('loop-ext4')!;
  const rows = candidates
    .filter((c) => c.key !== 'ext4')
    .map((c) => [`${c.label} vs plain ext4`, ...METRICS.map((m) => pct(overhead(samples.get(c.key)!, ext4, m.key)))]);
  rows.push([
    'fscrypt vs ext4 on a loop image (the encryption alone)',
    ...METRICS.map((m) => pct(overhead(samples.get('fscrypt')!, loop, m.key))),
  ]);
  return table(['Extra time (medians)', ...METRICS.map((m) => m.label.replace(/ \(.*\)$/, ''))], rows);
}

const TARGET_PCT = 10;

/** Sentences stating each candidate's overhead and the issue's ≤ 10 % target, from the numbers. */
export function findings(samples: Map<CandidateKey, Samples>, kernelXts: string): string[] {
  const ext4 = samples.get('ext4')!;
  const loop = samples.get('loop-ext4')!;
  const o = (key: CandidateKey, m: MetricKey, base = ext4) => overhead(samples.get(key)!, base, m);
  const sentence = (key: CandidateKey, name: string) =>
    `${name} against plain ext4: first frame ${pct(o(key, 'firstFrameCold'))} cold / ${pct(o(key, 'firstFrameWarm'))} warm, ` +
    `seek ${pct(o(key, 'seekCold'))} / ${pct(o(key, 'seekWarm'))}, listing ${pct(o(key, 'listCold'))} / ` +
    `${pct(o(key, 'listWarm'))}, and ${fmt(median(samples.get(key)!.readCold))} MB/s sequential cold read ` +
    `(plain ext4 ${fmt(median(ext4.readCold))} MB/s).`;
  const meets = (key: CandidateKey) =>
    (['firstFrameCold', 'listCold', 'firstFrameWarm', 'listWarm'] as const).every(
      (m) => (o(key, m) ?? Infinity) <= TARGET_PCT,
    );
  const verdict = (key: CandidateKey, name: string) => `${name} ${meets(key) ? 'meets' : 'misses'} it`;
  const noise = percentile(ext4.firstFrameCold, 95)! / median(ext4.firstFrameCold)! - 1;
  // The x86 drivers that use AES instructions are named aesni or vaes; others are generic C code.
  const cipher = /aesni|vaes/.test(kernelXts)
    ? ` The kernel decrypts with \`${kernelXts}\` (AES instructions).`
    : ` The kernel decrypts with \`${kernelXts}\`, its generic C AES: this kernel has no AES-NI driver, which bounds fscrypt's reads; gocryptfs does its AES-GCM in user space with AES instructions.`;
  return [
    sentence('fscrypt', 'fscrypt') + cipher,
    sentence('gocryptfs', 'gocryptfs'),
    `The loop image without encryption costs ${pct(o('loop-ext4', 'listCold'))} on the cold listing and ` +
      `${pct(o('loop-ext4', 'firstFrameCold'))} on the cold first frame; fscrypt against that same loop image: ` +
      `listing ${pct(o('fscrypt', 'listCold', loop))} cold / ${pct(o('fscrypt', 'listWarm', loop))} warm, first frame ` +
      `${pct(o('fscrypt', 'firstFrameCold', loop))} cold — the encryption's own share.`,
    `Against the issue's target (≤ ${TARGET_PCT} % on first frame and listing, cold and warm): ` +
      `${verdict('fscrypt', 'fscrypt')}, ${verdict('gocryptfs', 'gocryptfs')} ` +
      `(for scale: plain ext4's own cold first frame is ${(noise * 100).toFixed(0)} % slower at p95 than at its median here).`,
  ];
}

export interface ReportInput {
  date: Date;
  elapsedS: number;
  command: string;
  machine: string;
  software: string;
  method: string[];
  results: string;
  overheads: string;
  findings: string[];
}

export function renderReport(r: ReportInput): string {
  return `# Encryption at rest: what each candidate costs (issue 18)

- **Date:** ${r.date.toISOString()} (took ${Math.round(r.elapsedS)} s; \`${r.command}\`)
- **Machine:** ${r.machine}
- **Software:** ${r.software}

## Results (median / p95 over the runs; throughput median / p5)

${r.results}

${r.overheads}

## What the numbers say

${r.findings.join(' ')}

## Method

${r.method.map((line) => `- ${line}`).join('\n')}
`;
}
