/**
 * bench/density.ts still runs, end to end, in its quick form (`--smoke`): one active session,
 * then one step of two idle sessions with viewers (a File Explorer and a simple app), 2 s
 * windows, with the report and the JSON it writes. The idle sessions are handed to werift viewers
 * after their first frame (`--idle-viewers werift`): the same launch path as by default, and the
 * take-over on top. It needs the built web UI and explorer, as
 * every browser test does; the numbers are checked only for what must hold on any machine.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { processesMentioning } from '../server/test/helpers.ts';
import type { DensityOptions } from '../bench/lib/density-options.ts';
import type { SeriesResult } from '../bench/lib/density-sweep.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-density-smoke-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function runBench(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bench/density.ts', ...args], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

it('adds idle sessions with viewers, measures every column, and ends every session', async () => {
  const out = path.join(tmp, 'DENSITY-RESULTS.md');
  const json = path.join(tmp, 'density.json');
  const { code, stderr } = await runBench([
    '--smoke',
    '--idle-viewers',
    'werift',
    '--share-probe',
    '--out',
    out,
    '--json',
    json,
  ]);
  expect(code, stderr).toBe(0);
  const r = JSON.parse(fs.readFileSync(json, 'utf8')) as {
    options: DensityOptions;
    series: SeriesResult[];
    errors: string[];
  };
  expect(r.errors).toEqual([]);
  const [series] = r.series;
  expect(series!.solo.g2g.n).toBeGreaterThan(0);
  const [step] = series!.steps;
  expect(step).toMatchObject({ idle: 2, explorers: 1, launchError: null });
  expect(step!.window.g2g.n).toBeGreaterThan(0);
  expect(step!.window.fps[0]).toBeGreaterThan(5);
  // Each idle session was taken over by its werift viewer, which got RTP and stayed connected.
  const werift = step!.window.werift!;
  expect(werift.viewers).toMatchObject({ of: 2, connected: 2, withRtp: 2 });
  expect(werift.pssKiB).toBeGreaterThan(10 * 1024);
  // The share probe: a client opened a read-only share, in the sandbox started before it.
  expect(step!.shareProbe).toMatchObject({ warm: true });
  expect(step!.shareProbe!.ms).toBeGreaterThan(0);
  // And the owner opened their own files in the one started for that.
  expect(step!.ownerProbe).toMatchObject({ warm: true });
  expect(step!.ownerProbe!.ms).toBeGreaterThan(0);
  for (const first of step!.firstFrames) {
    expect(first.ms, first.kind).toBeGreaterThan(0);
    expect(first.ms, first.kind).toBeLessThan(20_000);
  }
  const usage = (kind: string) => step!.window.idle.find((u) => u.kind === kind)!;
  const [explorer, simple] = [usage('explorer'), usage('simple')];
  // Each session is its sandbox and its encoders: Xvfb in both; the explorer, launched last and
  // still for seconds only (far less than ENCODER_IDLE_STOP), still encodes; Chromium runs in it.
  const names = (u: typeof explorer) => u.processes.map((p) => p.name);
  for (const u of [explorer, simple]) expect(names(u), u.kind).toContain('Xvfb');
  expect(names(explorer)).toContain('ffmpeg (video)');
  expect(names(explorer).some((n) => /chrom/.test(n))).toBe(true);
  // Memory read for every process: a few MiB at least for the smallest session, more for a Chromium.
  expect(simple.pssKiB).toBeGreaterThan(2 * 1024);
  expect(explorer.pssKiB).toBeGreaterThan(simple.pssKiB);
  expect(step!.window.serverPssKiB).toBeGreaterThan(50 * 1024);

  // Every session ended: no sandbox of the run is left.
  for (const { sessionId } of step!.window.idle) expect(processesMentioning(sessionId), sessionId).toEqual([]);

  const report = fs.readFileSync(out, 'utf8');
  for (const heading of ['## Method', '## Results', '### Series', 'What an idle session is made of', '## Targets'])
    expect(report).toContain(heading);
  expect(report).toContain("A client's read-only share, warm");
  expect(report).toContain("The owner's own files, warm");
  // Whether two idle sessions are sustained depends on this machine's load: only that it is said.
  expect(report).toMatch(/\*\*Sustained: [02] idle sessions\*\*/);
}, 150_000);
