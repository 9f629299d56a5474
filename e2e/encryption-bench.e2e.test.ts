/**
 * bench/encryption.ts still runs, end to end, in its quick form (`--smoke`): an 8 s video, 200
 * files, one run per server, ENCRYPTION=off and =on. It needs root (the encrypted volume is a
 * loop mount here) and the built web UI and explorer, as every browser test does. The numbers
 * are checked only for what holds on any machine: every measure has one for both modes.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { MEASURES, type Row, type Samples } from '../bench/lib/at-rest-report.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-encryption-smoke-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function runBench(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', 'bench/encryption.ts', ...args], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

const mounts = () => fs.readFileSync('/proc/self/mounts', 'utf8');

it.skipIf(process.getuid?.() !== 0)(
  'measures every row with encryption off and on, and leaves nothing mounted',
  async () => {
    const out = path.join(tmp, 'ENCRYPTION-RESULTS.md');
    const json = path.join(tmp, 'encryption.json');
    const { code, stderr } = await runBench(['--smoke', '--out', out, '--json', json]);
    expect(code, stderr).toBe(0);
    const r = JSON.parse(fs.readFileSync(json, 'utf8')) as { samples: Samples; rows: Row[]; errors: string[] };
    expect(r.errors).toEqual([]);
    for (const { key } of MEASURES) {
      for (const mode of ['off', 'on'] as const) {
        const [ms] = r.samples[mode][key];
        expect(ms, `${key} with ENCRYPTION=${mode}`).toBeGreaterThan(0);
        expect(ms, `${key} with ENCRYPTION=${mode}`).toBeLessThan(30_000);
      }
      expect(r.rows.find((row) => row.key === key)!.pairedPercent, key).toEqual(expect.any(Number));
    }
    // The servers' volumes (vitrine-test-*/data/volume) were unmounted as they closed.
    const dataDirs = [...stderr.matchAll(/files uploaded in \d+ s \((\S+)\)/g)].map((m) => m[1]!);
    expect(dataDirs).toHaveLength(2);
    for (const dir of dataDirs) expect(mounts()).not.toContain(dir);
    const report = fs.readFileSync(out, 'utf8');
    for (const heading of ['## Results', '## Reading', '## Method']) expect(report).toContain(heading);
  },
  150_000,
);
