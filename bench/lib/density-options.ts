import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { IDLE_VIEWERS, type IdleViewers } from './density-werift.ts';
import { numberFlags } from './options.ts';

export interface DensityOptions {
  /** Idle sessions at most. */
  max: number;
  /** Idle sessions added per step. */
  step: number;
  /** One series per entry: the share of idle sessions that are File Explorers (the rest simple apps). */
  explorerShares: number[];
  /** Animated sessions watched at every step. */
  active: number;
  /** Measurement window per step, seconds. */
  seconds: number;
  /** Wait after a step's launches before its window, seconds. */
  settle: number;
  /** Measure every step up to `max`, also after one degraded (sustained is unchanged). */
  keepGoing: boolean;
  /** Who watches an idle session once its first frame was measured in its tab (density-werift.ts). */
  idleViewers: IdleViewers;
  /** After each step's window, a client opens a read-only share (the server keeps a warm sandbox). */
  shareProbe: boolean;
  smoke: boolean;
  out: string | undefined;
  json: string | undefined;
}

const USAGE = `usage: node bench/density.ts [--max N] [--step N] [--explorer-share F[,F…]] [--active N] [--seconds S] [--settle S] [--keep-going] [--idle-viewers chromium|werift] [--share-probe] [--smoke] [--out FILE] [--json FILE]
  --max N             idle sessions at most (default 50)
  --step N            idle sessions added per step (default 5)
  --explorer-share F  share of idle sessions that are File Explorers, 0..1 (default 1); a list
                      (e.g. 1,0) runs one series per value, each from no idle session
  --active N          animated 720p30 sessions whose glass-to-glass is watched (default 2)
  --seconds S         measurement window per step (default 8)
  --settle S          wait after a step's launches before its window (default 3)
  --keep-going        measure every step up to --max, also after one degraded (to see the curve;
                      "sustained" still ends at the first degraded step)
  --idle-viewers V    who watches an idle session after its first frame (measured in a Chromium
                      tab either way): chromium (default: that tab) or werift (a Node WebRTC
                      viewer in a child process takes it over and the tab closes; on a real
                      install the viewers are on the clients' machines)
  --share-probe       the server keeps a warm File Explorer (WARM_SANDBOXES=1), and after each
                      step's window a client opens a read-only share in Chromium: its first frame
                      is reported beside the owner's new sessions' (which start cold)
  --smoke             a quick pass for the test suite: 1 active, 2 idle (one explorer, one simple)
                      in one step, 2 s windows; writes no results file unless --out is given
  --out FILE          where the Markdown report goes (default bench/DENSITY-RESULTS.md)
  --json FILE         also write every measurement as JSON`;

const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function parseDensityOptions(argv: string[]): DensityOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      max: { type: 'string' },
      step: { type: 'string' },
      'explorer-share': { type: 'string' },
      active: { type: 'string' },
      seconds: { type: 'string' },
      settle: { type: 'string' },
      'keep-going': { type: 'boolean', default: false },
      'idle-viewers': { type: 'string', default: 'chromium' },
      'share-probe': { type: 'boolean', default: false },
      smoke: { type: 'boolean', default: false },
      out: { type: 'string' },
      json: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const smoke = values.smoke ?? false;
  const num = numberFlags(USAGE);
  const shares = values['explorer-share']?.split(',') ?? [smoke ? '0.5' : '1'];
  const idleViewers = IDLE_VIEWERS.find((v) => v === values['idle-viewers']);
  if (!idleViewers) throw new Error(`--idle-viewers must be ${IDLE_VIEWERS.join(' or ')}\n${USAGE}`);
  const max = Math.round(num('max', values.max, smoke ? 2 : 50, 1, 500));
  return {
    max,
    step: Math.min(max, Math.round(num('step', values.step, smoke ? 2 : 5, 1, 500))),
    explorerShares: shares.map((s) => num('explorer-share', s.trim(), 1, 0, 1)),
    active: Math.round(num('active', values.active, smoke ? 1 : 2, 1, 10)),
    seconds: num('seconds', values.seconds, smoke ? 2 : 8, 1, 120),
    settle: num('settle', values.settle, smoke ? 1 : 3, 0, 120),
    keepGoing: values['keep-going'] ?? false,
    idleViewers,
    shareProbe: values['share-probe'] ?? false,
    smoke,
    out: values.out ?? (smoke ? undefined : path.join(benchDir, 'DENSITY-RESULTS.md')),
    json: values.json,
  };
}
