/**
 * Issue 19's multi-node benchmark: what placing a session on a worker costs a person, measured
 * against one process doing everything, in one run (launches interleaved, so a busy moment
 * weighs on both alike).
 *  - launch → first video at the viewer: POST /api/sessions, GET …/signal-url, the signaling
 *    socket (to the worker, with its ticket), the first RTP packet at a Node WebRTC viewer;
 *  - a worker killed with SIGKILL → its session recorded as ended ("worker lost").
 * The API tier, two workers and the single-process server each run in a network namespace of
 * their own (server/test/vitrine-fleet.ts), sharing nothing but this host's two cores; each side
 * has a PostgreSQL server of its own.
 *
 *   node bench/fleet.ts [--launches N] [--losses N] [--out FILE]
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as prettier from 'prettier';
import type { SessionInfo, SignalUrl } from '@vitrine/protocol';
import { register, type TestUser } from '../server/test/auth-client.ts';
import { api, waitFor } from '../server/test/helpers.ts';
import { startTestPostgres } from '../server/test/postgres.ts';
import { startVitrineFleet, type VitrineFleet } from '../server/test/vitrine-fleet.ts';
import { WeriftViewer } from '../server/test/werift-viewer.ts';
import { numberFlags } from './lib/options.ts';
import { machineInfo } from './lib/report.ts';

const USAGE = `usage: node bench/fleet.ts [--launches N] [--losses N] [--out FILE]
  --launches N  launches on each side, interleaved (default 10)
  --losses N    workers killed, one at a time, each started again after (default 3)
  --out FILE    where the Markdown report goes (default bench/FLEET-RESULTS.md)`;

interface Side {
  name: string;
  owner: TestUser;
  iceAddress: string;
}

/** One launch: ms from the POST to the first RTP packet, then the session is ended. */
async function launchOnce(side: Side): Promise<{ ms: number; signalUrlMs: number }> {
  const t0 = performance.now();
  const res = await api<SessionInfo>(side.owner, 'POST', '/api/sessions', { appId: 'diagnostics' });
  if (res.status !== 201) throw new Error(`${side.name}: launch answered ${res.status} ${JSON.stringify(res.body)}`);
  const t1 = performance.now();
  const signal = await api<SignalUrl>(side.owner, 'GET', `/api/sessions/${res.body.id}/signal-url`);
  const signalUrlMs = performance.now() - t1;
  const viewer = new WeriftViewer(side.owner, res.body.id, {
    ...(signal.body.url ? { signalUrl: signal.body.url } : {}),
    iceAddress: side.iceAddress,
  });
  try {
    await waitFor(`${side.name}: first video`, () => viewer.rtpPackets > 0, 30_000, 5);
    return { ms: performance.now() - t0, signalUrlMs };
  } finally {
    await viewer.close();
    await api(side.owner, 'DELETE', `/api/sessions/${res.body.id}`);
  }
}

function machineLine(): string {
  const m = machineInfo('none (Node viewers)');
  const load = m.loadAvg.map((l) => l.toFixed(2)).join(' ');
  return `${m.nproc} cores (${m.cpuModel}), ${m.memoryGiB.toFixed(0)} GiB, ${m.kernel}, Node ${m.node}, FFmpeg ${m.ffmpeg}, revision ${m.revision}, load ${load}`;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const ms = (x: number) => `${Math.round(x)} ms`;

async function lossOnce(fleet: VitrineFleet, owner: TestUser): Promise<{ endedMs: number; worker: string }> {
  const res = await api<SessionInfo>(owner, 'POST', '/api/sessions', { appId: 'diagnostics' });
  const worker = (await api<{ worker: string }>(owner, 'GET', `/api/sessions/${res.body.id}/stats`)).body.worker;
  const killedAt = performance.now();
  fleet.workers.get(worker)!.kill();
  await waitFor(
    'worker lost',
    async () => (await api<SessionInfo>(owner, 'GET', `/api/sessions/${res.body.id}`)).body.endReason === 'worker lost',
    30_000,
    50,
  );
  const endedMs = performance.now() - killedAt;
  await fleet.startWorker(Number(worker.slice(1)));
  return { endedMs, worker };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      launches: { type: 'string' },
      losses: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return console.log(USAGE);
  const num = numberFlags(USAGE);
  const launches = Math.round(num('launches', values.launches, 10, 1, 200));
  const losses = Math.round(num('losses', values.losses, 3, 0, 20));
  const out = path.resolve(values.out ?? path.join(import.meta.dirname, 'FLEET-RESULTS.md'));
  const fleet = await startVitrineFleet({ workers: 2, spareMachines: 1, apiEnv: { MAX_SESSIONS_PER_USER: '10' } });
  try {
    const single = fleet.lab.machines[3]!;
    const dir = fs.mkdtempSync('/dev/shm/vitrine-fleet-single-');
    // Its own PostgreSQL of the same kind: the comparison is the placement, not PGlite against a server.
    const pg = startTestPostgres();
    const one = fleet.lab.start(3, 'server/src/main.ts', {
      ROLE: 'all',
      DATABASE_URL: pg.url,
      ENCRYPTION: 'off',
      HOST: single.ip,
      PORT: '8080',
      ALLOW_INSECURE_HTTP: '1',
      PUBLIC_URL: 'http://vitrine-single.test:8080',
      WEBRTC_ICE_ADDRESSES: single.ip,
      DATA_DIR: path.join(dir, 'data'),
      RUNTIME_DIR: path.join(dir, 'run'),
      AUDIT_KEY_FILE: path.join(dir, 'audit', 'audit.key'),
      AUDIT_CHECKPOINT_FILE: path.join(dir, 'audit', 'checkpoints.jsonl'),
      MAX_SESSIONS_PER_USER: '10',
      LOG_LEVEL: 'warn',
    });
    try {
      const link = (await one.waitFor(/(http:\/\/vitrine-single\.test:8080\/invite#[\w-]+)/))[1]!;
      const sides: Side[] = [
        {
          name: 'one process',
          owner: await register(`http://${single.ip}:8080`, 'http://vitrine-single.test:8080', link, {
            displayName: 'S',
            email: 's@example.test',
          }),
          iceAddress: fleet.lab.hostIp,
        },
        {
          name: 'API tier + worker',
          owner: await register(fleet.apiUrl, fleet.publicUrl, fleet.setupLink, {
            displayName: 'F',
            email: 'f@example.test',
          }),
          iceAddress: fleet.lab.hostIp,
        },
      ];
      const times = new Map(sides.map((s) => [s.name, { ms: [] as number[], signalUrlMs: [] as number[] }]));
      for (let i = 0; i < launches; i++) {
        for (const side of i % 2 ? [...sides].reverse() : sides) {
          const t = await launchOnce(side);
          times.get(side.name)!.ms.push(t.ms);
          times.get(side.name)!.signalUrlMs.push(t.signalUrlMs);
          process.stderr.write(`[fleet] ${side.name}: ${ms(t.ms)}\n`);
        }
      }
      const lost: number[] = [];
      for (let i = 0; i < losses; i++) {
        const l = await lossOnce(fleet, sides[1]!.owner);
        lost.push(l.endedMs);
        process.stderr.write(`[fleet] ${l.worker} killed: session ended after ${ms(l.endedMs)}\n`);
      }
      const rows = sides.map((s) => {
        const t = times.get(s.name)!;
        return `| ${s.name} | ${ms(pct(t.ms, 50))} | ${ms(pct(t.ms, 95))} | ${ms(pct(t.signalUrlMs, 50))} |`;
      });
      const [a, b] = sides.map((s) => pct(times.get(s.name)!.ms, 50));
      const report = [
        '# Multi-node benchmark (bench/fleet.ts)',
        '',
        `${machineLine()}; ${new Date().toISOString().slice(0, 10)}; \`node bench/fleet.ts --launches ${launches} --losses ${losses}\`.`,
        'The diagnostics app; a Node WebRTC viewer; every machine a network namespace on this host.',
        '',
        '| Launch → first video | p50 | p95 | GET signal-url p50 |',
        '| --- | --- | --- | --- |',
        ...rows,
        '',
        `Placement on a worker costs ${ms(b! - a!)} at the median (${(b! / a!).toFixed(2)}× one process).`,
        '',
        losses
          ? `A worker killed with SIGKILL: its session recorded as ended after ${ms(pct(lost, 50))} (median of ${losses}; max ${ms(Math.max(...lost))}; WORKER_LOST_AFTER 6 s, beats every 2 s, the sweep every second).`
          : '',
        '',
      ].join('\n');
      console.log(report);
      // Written as the repository formats Markdown, so a re-run is a clean diff.
      const style = (await prettier.resolveConfig(out)) ?? {};
      fs.writeFileSync(out, await prettier.format(report, { ...style, filepath: out }));
    } finally {
      await one.stop();
      pg.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    await fleet.stop();
  }
}

await main();
