import { parseArgs } from 'node:util';

export interface BenchOptions {
  /** Repetitions of every scenario; metrics are medianed across runs. */
  runs: number;
  /** Length of each measurement window (latency/fps/CPU) in seconds. */
  seconds: number;
  /** Clicks per run for input-to-photon. */
  clicks: number;
  /** 720p scenarios only. */
  quick: boolean;
}

const USAGE = `usage: node bench/run.ts [--runs N] [--seconds S] [--clicks K] [--quick]
  --runs N      repetitions of every scenario (default 3; --quick: 1)
  --seconds S   measurement window per scenario (default 8; --quick: 4)
  --clicks K    input-to-photon clicks per run (default 15)
  --quick       1 run, 4 s, 720p scenarios only`;

export function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      runs: { type: 'string' },
      seconds: { type: 'string' },
      clicks: { type: 'string' },
      quick: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const quick = values.quick ?? false;
  const num = numberFlags(USAGE);
  return {
    quick,
    runs: Math.round(num('runs', values.runs, quick ? 1 : 3, 1, 50)),
    seconds: num('seconds', values.seconds, quick ? 4 : 8, 1, 120),
    clicks: Math.round(num('clicks', values.clicks, 15, 1, 200)),
  };
}

/**
 * A bench's numeric flag reader: the fallback when the flag is absent, else a number within
 * min..max, or an error naming the flag, the bounds and the bench's usage.
 */
export function numberFlags(usage: string) {
  return (name: string, raw: string | undefined, fallback: number, min: number, max: number): number => {
    if (raw === undefined) return fallback;
    const v = Number(raw);
    if (!Number.isFinite(v) || v < min || v > max)
      throw new Error(`--${name} must be a number in ${min}..${max}, got "${raw}"\n${usage}`);
    return v;
  };
}
