import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';

// run.sh starts the explorer server server-main.sh names: the JavaScript build while it is as new
// as the sources, the sources (with a warning) when it is missing or older.

const SCRIPT = path.resolve(import.meta.dirname, '../server-main.sh');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function app(files: Record<string, number>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-server-main-'));
  dirs.push(root);
  for (const [file, secondsAgo] of Object.entries(files)) {
    const p = path.join(root, file);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, '');
    const t = new Date(Date.now() - secondsAgo * 1000);
    fs.utimesSync(p, t, t);
  }
  return root;
}

function pick(root: string): { main: string; warned: boolean } {
  const r = spawnSync(SCRIPT, [root], { encoding: 'utf8' });
  expect(r.status).toBe(0);
  return { main: r.stdout.trim().slice(root.length), warned: r.stderr.includes('older than its sources') };
}

it('runs the build when it is newer than every source (tests aside)', () => {
  const root = app({
    'server/main.ts': 60,
    'server/explorer.ts': 50,
    'server/x.unit.test.ts': 1,
    'server-js/main.js': 10,
  });
  expect(pick(root)).toEqual({ main: '/server-js/main.js', warned: false });
});

it('runs the sources, and says so, when a source changed after the build or there is no build', () => {
  expect(pick(app({ 'server/main.ts': 60, 'server/explorer.ts': 1, 'server-js/main.js': 10 }))).toEqual({
    main: '/server/main.ts',
    warned: true,
  });
  expect(pick(app({ 'server/main.ts': 60 }))).toEqual({ main: '/server/main.ts', warned: true });
});
