/**
 * bench/oversight.ts still runs, end to end, in its quick form (`--smoke`): the recorder's
 * micro-benchmark and the three browser scenarios (unrecorded, recorded, recorded and watched),
 * each measured once, with the report and the JSON it writes. It needs the built web UI, as
 * every browser test does; the numbers are checked only for what must hold on any machine.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import type { MicroSummary, VariantSummary } from '../bench/lib/oversight-report.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-oversight-smoke-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function runBench(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bench/oversight.ts', ...args], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

it('measures the recorder and the three scenarios, and writes its report', async () => {
  const out = path.join(tmp, 'OVERSIGHT-RESULTS.md');
  const json = path.join(tmp, 'oversight.json');
  const { code, stderr } = await runBench(['--smoke', '--out', out, '--json', json]);
  expect(code, stderr).toBe(0);
  const r = JSON.parse(fs.readFileSync(json, 'utf8')) as { micro: MicroSummary[]; summaries: VariantSummary[] };

  // The recorder alone: a real 720p stream went through it, whole. A few seconds of replay on a
  // busy machine are no measurement of the 2 % target (the full run is); a recorder that did
  // much more than copy, packetize and hash (a decode, a re-encode) would still show here.
  const [m720] = r.micro;
  expect(m720!.stream.height).toBe(720);
  expect(m720!.stream.pictures / m720!.stream.seconds).toBeGreaterThan(20);
  expect(m720!.replay.bytesWritten).toBeGreaterThan(0);
  expect(m720!.replay.dropped).toBe(0);
  expect(m720!.replay.percentOfCore).toBeGreaterThan(0);
  expect(m720!.replay.percentOfCore).toBeLessThan(5);

  const run = (v: string) => {
    const s = r.summaries.find((x) => x.variant === v)!;
    expect(s.errors, v).toEqual([]);
    return s.runs[0]!;
  };
  const [plain, recorded, watched] = [run('plain'), run('recorded'), run('watched')];
  for (const x of [plain, recorded, watched]) {
    expect(x.client.g2g.n, x.variant).toBeGreaterThan(0);
    expect(x.client.resolution).toBe('1280x720');
  }
  // Unrecorded writes nothing; recorded sessions grow on disk and the recorder drops nothing.
  expect(plain.recording).toBeNull();
  expect(plain.recordingBytesPerS).toBe(0);
  for (const x of [recorded, watched]) {
    expect(x.recordingBytesPerS, x.variant).toBeGreaterThan(0);
    expect(x.recording).toMatchObject({ dropped: 0 });
    expect(x.recording!.segments).toBeGreaterThan(0);
  }
  // Two viewers, one encoder: the active FFmpeg and its warm spare, encoding once for both.
  expect([recorded.viewers, watched.viewers]).toEqual([1, 2]);
  expect(watched.watcher!.g2g.n).toBeGreaterThan(0);
  expect(watched.encoders).toBeLessThanOrEqual(2);
  expect(watched.encodedFps).toBeLessThan(36);

  const report = fs.readFileSync(out, 'utf8');
  for (const heading of ['## Method', '### The recorder alone', '### Owner watching', '## Reading'])
    expect(report).toContain(heading);
}, 120_000);
