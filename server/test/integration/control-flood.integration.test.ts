import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/audit/chain.ts';
import { listenControlChannel } from '../../src/control/control-channel.ts';
import type { AppClaim } from '../../src/control/ports.ts';
import { openSessionChannel } from '../../src/control/session-channel.ts';
import { waitFor } from '../helpers.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-flood-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const FLOODER = path.resolve(import.meta.dirname, '../control-flooder.ts');
const FLOOD_MS = 3000;

/** Every line the server logs, by level. */
function capturedLog() {
  const lines: Array<{ level: string; obj: object; msg: string }> = [];
  const at = (level: string) => (obj: object, msg: string) => lines.push({ level, obj, msg });
  return { lines, log: { warn: at('warn'), info: at('info'), error: at('error') } };
}

/** Runs the looping app in its own process; resolves to how many connections it opened. */
function flood(socketPath: string): Promise<{ attempts: number; connected: number }> {
  const child = spawn(process.execPath, [FLOODER, socketPath, String(FLOOD_MS), '8'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    child.on('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out) as { attempts: number; connected: number })
        : reject(new Error(`flooder ${code}`)),
    );
  });
}

/** One connection of a well-behaved app: retries (as the File Explorer does) until the server takes it. */
async function wellBehaved(socketPath: string): Promise<{ socket: net.Socket; lines: string[] }> {
  return waitFor(
    'a connection the server keeps',
    () =>
      new Promise<{ socket: net.Socket; lines: string[] } | undefined>((resolve) => {
        const socket = net.createConnection(socketPath);
        const lines: string[] = [];
        let buf = '';
        socket.setEncoding('utf8');
        socket.on('data', (d: string) => {
          buf += d;
          for (let nl; (nl = buf.indexOf('\n')) >= 0; buf = buf.slice(nl + 1)) lines.push(buf.slice(0, nl));
        });
        socket.on('error', () => resolve(undefined));
        socket.on('close', () => resolve(undefined));
        // The request proves the server reads this connection: its reply comes back.
        socket.write('{"v":1,"type":"request","id":1,"action":"trash","path":"/files/x"}\n');
        void waitFor('reply', () => lines.length > 0, 2000)
          .then(() => resolve({ socket, lines }))
          .catch(() => resolve(undefined));
      }),
    5000,
    100,
  );
}

it('a looping app reconnecting as fast as it can costs the server little CPU and few log lines', async () => {
  const sessionDir = path.join(dir, 'session');
  fs.mkdirSync(path.join(sessionDir, 'control'), { recursive: true });
  const { lines, log } = capturedLog();
  const claims: AppClaim[] = [];
  const notes: AuditEntry[] = [];
  const channel = await openSessionChannel(
    {
      sessionDir,
      grants: [],
      storageOwnerId: null,
      about: { actor: { id: null, role: 'client' }, sessionId: 'flooded' },
      onClaim: (c) => claims.push(c),
    },
    {
      services: { trash: async () => {}, move: async () => {}, storagePath: () => null },
      audit: { record: async () => {}, note: (e) => notes.push(e) },
      log,
    },
  );
  const socketPath = path.join(sessionDir, 'control', 'control.sock');
  try {
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const stats = await flood(socketPath);
    const wallMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    console.log(
      JSON.stringify({
        ...stats,
        wallMs: Math.round(wallMs),
        serverCpuMs: Math.round(cpuMs),
        logLines: lines.length,
        claims: claims.length,
      }),
    );
    // The flood really was one: thousands of connection attempts.
    expect(stats.attempts).toBeGreaterThan(2000);
    // The server's share: a fraction of one core, whatever the app does.
    expect(cpuMs).toBeLessThan(0.1 * wallMs);
    // A few claims got through (the connection budget), not one per connection.
    expect(claims.length).toBeLessThan(50);
    // Summaries, not lines: at most one warning so far.
    expect(lines.length).toBeLessThanOrEqual(1);
    // A well-behaved app connecting afterwards is served.
    const good = await wellBehaved(socketPath);
    expect(JSON.parse(good.lines[0]!)).toMatchObject({ type: 'reply', id: 1 });
    good.socket.write('{"v":1,"type":"event","kind":"file-opened","path":"/files/after.pdf"}\n');
    await waitFor('the claim after the flood', () => claims.some((c) => c.path === '/files/after.pdf'));
    good.socket.destroy();
  } finally {
    channel.close();
  }
  // Closing the channel writes what the last minute's summary had not said yet.
  const summaries = lines.filter((l) => l.level === 'warn');
  expect(summaries.length).toBeLessThanOrEqual(2);
  expect(summaries.at(-1)?.obj).toMatchObject({ sessionId: 'flooded' });
});

it('stops reading a connection once it has closed it: lines after the tenth bad one are not handled', async () => {
  const socketPath = path.join(dir, 'strict.sock');
  const events: unknown[] = [];
  const { log } = capturedLog();
  const channel = await listenControlChannel(
    socketPath,
    { event: (e) => events.push(e), request: async () => ({ ok: true }) },
    log,
  );
  try {
    const socket = net.createConnection(socketPath);
    const closed = new Promise((r) => socket.on('close', r));
    socket.on('error', () => {});
    socket.on('data', () => {});
    // One write: ten bad lines, then claims the server must never act on.
    const claim = '{"v":1,"type":"event","kind":"file-opened","path":"/files/late.pdf"}\n';
    socket.write('nope\n'.repeat(10) + claim.repeat(20));
    await closed;
    expect(events).toEqual([]);
  } finally {
    channel.close();
  }
});
