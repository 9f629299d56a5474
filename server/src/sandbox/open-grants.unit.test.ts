import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { openGrants } from './start-sandbox.ts';

const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-grants-')));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const grant = (hostPath: string) => ({ hostPath, sandboxPath: '/files/x', access: 'read' as const });

it('opens plain files and folders at exactly their canonical path', () => {
  fs.mkdirSync(path.join(dir, 'Reports'));
  fs.writeFileSync(path.join(dir, 'Reports', 'a.txt'), 'a');
  const fds = openGrants([grant(path.join(dir, 'Reports')), grant(path.join(dir, 'Reports', 'a.txt'))]);
  expect(fds).toHaveLength(2);
  for (const fd of fds) fs.closeSync(fd);
});

it('refuses a shared path that is a link, or that runs through one (as a sandboxed app could make)', () => {
  fs.mkdirSync(path.join(dir, 'real'));
  fs.symlinkSync('/etc', path.join(dir, 'swapped'));
  fs.symlinkSync(path.join(dir, 'real'), path.join(dir, 'via'));
  fs.writeFileSync(path.join(dir, 'real', 'f'), 'f');
  expect(() => openGrants([grant(path.join(dir, 'swapped'))])).toThrow(/cannot share/);
  expect(() => openGrants([grant(path.join(dir, 'via', 'f'))])).toThrow(/not a plain file or folder at that path/);
  execFileSync('mkfifo', [path.join(dir, 'fifo')]);
  expect(() => openGrants([grant(path.join(dir, 'fifo'))])).toThrow(/not a plain file/);
});

it('closes what it opened when a later grant is refused', () => {
  const before = fs.readdirSync('/proc/self/fd').length;
  expect(() => openGrants([grant(path.join(dir, 'Reports')), grant(path.join(dir, 'swapped'))])).toThrow();
  expect(fs.readdirSync('/proc/self/fd').length).toBe(before);
});
