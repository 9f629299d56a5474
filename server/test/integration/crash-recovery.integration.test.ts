import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { AuditPage, SessionInfo } from '@vitrine/protocol';
import { api, ffmpegProcesses, isAlive, sessionProcesses, waitFor, unmountVolume } from '../helpers.ts';
import { detectCgroups } from '../../src/sandbox/cgroups.ts';
import { WeriftViewer } from '../werift-viewer.ts';
import { register, signIn } from '../auth-client.ts';
import { startServerProcess as startServerProcessIn, type ServerProcess } from '../server-process.ts';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children) c.kill('SIGKILL');
});

/** A server process of its own over `runtimeDir`, killed after the test whatever happens. */
async function startServerProcess(runtimeDir: string): Promise<ServerProcess> {
  const server = await startServerProcessIn(runtimeDir);
  children.push(server.proc);
  return server;
}

it('after kill -9 of the server, the sandbox dies with it and the next start removes the leftovers', async () => {
  const runtimeDir = fs.mkdtempSync(path.join('/dev/shm', 'vitrine-crash-'));
  try {
    const first = await startServerProcess(runtimeDir);
    const owner = await register(first.url, first.origin, first.setupLink!, {
      displayName: 'O',
      email: 'o@example.test',
    });
    const { body } = await api<SessionInfo>(owner, 'POST', '/api/sessions', { appId: 'diagnostics' });
    const viewer = new WeriftViewer(owner, body.id);
    await waitFor('video', () => viewer.rtpPackets > 0);
    // The active encoder and its warm spare (started a moment after it).
    const pids = await waitFor('two encoders', async () => {
      const found = (await api<{ pids: number[] }>(owner, 'GET', `/api/sessions/${body.id}/stats`)).body.pids;
      return ffmpegProcesses(found).length === 2 ? found : null;
    });
    const procs = sessionProcesses(runtimeDir, body.id, pids);
    expect(procs.some((p) => p.cmd.startsWith('Xvfb'))).toBe(true);
    const support = detectCgroups();
    const instance = createHash('sha256').update(runtimeDir).digest('hex').slice(0, 12);
    if (support.version === 1)
      expect(fs.existsSync(path.join(support.bases.memory, `vitrine-${instance}`, body.id))).toBe(true);
    const sessionDir = path.join(runtimeDir, 'sessions', body.id);
    expect(fs.existsSync(sessionDir)).toBe(true);

    first.proc.kill('SIGKILL');
    await waitFor('sandbox and encoders to die with the server', () => procs.every((p) => !isAlive(p.pid)));
    await viewer.close();

    // A stray process that still names a session folder (as a stuck helper would) is also removed.
    const strayDir = path.join(runtimeDir, 'sessions', 'stray');
    fs.mkdirSync(strayDir);
    const stray = spawn('sh', ['-c', 'sleep 60', path.join(strayDir, 'x')], { stdio: 'ignore' });
    children.push(stray);
    await waitFor('stray running', () => isAlive(stray.pid!));

    const second = await startServerProcess(runtimeDir);
    expect(second.setupLink).toBeUndefined();
    const again = await signIn(owner, second);
    await waitFor('stray killed', () => !isAlive(stray.pid!));
    expect(fs.existsSync(sessionDir)).toBe(false);
    expect(fs.existsSync(strayDir)).toBe(false);
    // The crashed session's cgroups are gone too.
    if (support.version === 1) {
      for (const base of Object.values(support.bases))
        expect(fs.existsSync(path.join(base, `vitrine-${instance}`, body.id))).toBe(false);
    }
    expect((await api(again, 'GET', '/api/sessions')).body).toEqual([]);
    // The crashed session is on record as ended by the crash.
    expect((await api<SessionInfo>(again, 'GET', `/api/sessions/${body.id}`)).body).toMatchObject({
      state: 'ended',
      endReason: 'server crash',
    });
    // The audit trail says the same: launched, then ended by the crash (with the launch's duration).
    const trail = (await api<AuditPage>(again, 'GET', `/api/audit?session=${body.id}&order=asc`)).body.events.map(
      (e) => [e.action, e.reason],
    );
    expect(trail[0]).toEqual(['session.launch', null]);
    expect(trail.at(-1)).toEqual(['session.ended', 'server crash']);
    expect(trail.filter(([a]) => a === 'session.ended')).toHaveLength(1);
    second.proc.kill('SIGTERM');
    await new Promise((r) => second.proc.once('exit', r));
  } finally {
    unmountVolume(path.join(runtimeDir, 'data'));
    fs.rmSync(runtimeDir, { recursive: true, force: true });
  }
});

it('refuses to start with an invalid configuration and says which setting is wrong', async () => {
  const proc = spawn(process.execPath, ['server/src/main.ts'], {
    cwd: path.resolve(import.meta.dirname, '../../..'),
    env: { ...process.env, PORT: 'eighty', RUNTIME_DIR: os.tmpdir() },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise((r) => proc.on('exit', r));
  expect(code).toBe(2);
  expect(err).toContain('PORT');
});
