import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { logTail } from './log-tail.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-tail-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

it('gives the last characters of a log, whole characters only', () => {
  const file = path.join(dir, 'app.log');
  fs.writeFileSync(file, 'x'.repeat(10_000) + 'é'.repeat(600) + ' bye');
  const tail = logTail(file, 500);
  expect(tail).toHaveLength(500);
  expect(tail.endsWith('é bye')).toBe(true);
  expect(tail).not.toContain('\uFFFD');
  // Zeros (a sparse log) and other control characters are not text the database would take.
  fs.writeFileSync(file, Buffer.concat([Buffer.alloc(3000), Buffer.from('\u0007last\r words\t!\n')]));
  expect(logTail(file)).toBe('last words\t!\n');
  fs.writeFileSync(file, 'short');
  expect(logTail(file)).toBe('short');
  expect(logTail(path.join(dir, 'missing.log'))).toBe('');
});

it('reads neither through a link nor from a FIFO (which would wait for a writer forever)', () => {
  const secret = path.join(dir, 'secret');
  fs.writeFileSync(secret, 'host secret');
  fs.symlinkSync(secret, path.join(dir, 'link.log'));
  expect(logTail(path.join(dir, 'link.log'))).toBe('');
  execFileSync('mkfifo', [path.join(dir, 'fifo.log')]);
  expect(logTail(path.join(dir, 'fifo.log'))).toBe('');
});
