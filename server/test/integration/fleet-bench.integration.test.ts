/**
 * bench/fleet.ts still runs end to end in a short form: one launch on each side, one worker
 * killed, its report written. Its numbers are checked only for what must hold on any machine.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../../..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-fleet-smoke-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

it('measures a launch through a worker against one process, and a lost worker’s end', async () => {
  const out = path.join(tmp, 'FLEET-RESULTS.md');
  const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ['bench/fleet.ts', '--launches', '1', '--losses', '1', '--out', out], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (c) => resolve({ code: c, stderr: err }));
  });
  expect(code, stderr).toBe(0);
  const report = fs.readFileSync(out, 'utf8');
  // Columns padded as the repository formats Markdown tables.
  expect(report).toMatch(/\| one process +\| \d+ ms +\| \d+ ms +\| \d+ ms +\|/);
  expect(report).toMatch(/\| API tier \+ worker +\| \d+ ms +\| \d+ ms +\| \d+ ms +\|/);
  const ended = Number(/session recorded as ended after (\d+) ms/.exec(report)?.[1]);
  // Never before the worker counts as lost (6 s of silence, less one beat), and within seconds after.
  expect(ended).toBeGreaterThan(4000);
  expect(ended).toBeLessThan(15_000);
}, 120_000);
