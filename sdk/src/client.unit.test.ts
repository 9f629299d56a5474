import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createControlClient, type ControlClient } from './client.ts';

/** Waits for a condition the client reaches by itself (its socket's events). */
async function until(done: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('the control client', () => {
  let tmp: string | undefined;
  let server: net.Server | undefined;
  let client: ControlClient | undefined;
  afterEach(() => {
    client?.close();
    server?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  const socketPath = () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'app-sdk-'));
    return path.join(tmp, 'control.sock');
  };

  /** A server that records lines, greets each connection, and hands each request to `answer`. */
  async function listen(sock: string, answer: (msg: any) => object | undefined, greet?: object) {
    const lines: any[] = [];
    const connections: net.Socket[] = [];
    server = net.createServer((c) => {
      connections.push(c);
      if (greet) c.write(JSON.stringify(greet) + '\n');
      let buffer = '';
      c.on('data', (d) => {
        buffer += d;
        for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
          const msg = JSON.parse(buffer.slice(0, nl));
          buffer = buffer.slice(nl + 1);
          lines.push(msg);
          const reply = msg.type === 'request' ? answer(msg) : undefined;
          if (reply) c.write(JSON.stringify({ v: 2, type: 'reply', id: msg.id, ...reply }) + '\n');
        }
      });
    });
    await new Promise<void>((r) => server!.listen(sock, r));
    return { lines, connections };
  }

  const quiet = { log: () => {}, exitOnShutdown: false };
  const init = {
    v: 2,
    type: 'init',
    protocol: 2,
    display: { width: 1280, height: 720 },
    scale: 1,
    resizable: true,
    grants: [{ path: '/files/Reports', rights: ['read', 'write'] }],
    locale: 'fr-CH',
    timeZone: 'Europe/Zurich',
  };

  it('without a socket: not available, events dropped, requests unavailable, no init', async () => {
    client = createControlClient({ socketPath: undefined, ...quiet });
    expect(client.available).toBe(false);
    expect(client.event({ kind: 'file-opened', path: '/files/a' })).toBe(false);
    expect(await client.trash('/files/a')).toMatchObject({ ok: false, error: 'unavailable' });
    expect(await client.ready(10)).toBeNull();
  });

  it('hears init; sends version-2 newline-delimited JSON; matches replies by id', async () => {
    const sock = socketPath();
    const { lines } = await listen(
      sock,
      (m) => (m.path === '/files/no' ? { ok: false, error: 'denied', message: 'no delete' } : { ok: true }),
      init,
    );
    client = createControlClient({ socketPath: sock, ...quiet });
    expect(await client.ready()).toMatchObject({ display: { width: 1280, height: 720 }, locale: 'fr-CH' });
    expect(client.init?.grants).toEqual([{ path: '/files/Reports', rights: ['read', 'write'] }]);
    expect(client.event({ kind: 'page-viewed', path: '/files/a.pdf', page: 2 })).toBe(true);
    const [a, b] = await Promise.all([client.trash('/files/yes'), client.trash('/files/no')]);
    expect(a).toEqual({ ok: true });
    expect(b).toEqual({ ok: false, error: 'denied', message: 'no delete' });
    expect(lines[0]).toEqual({ v: 2, type: 'event', kind: 'page-viewed', path: '/files/a.pdf', page: 2 });
    expect(lines.slice(1).map((l) => [l.type, l.action, l.path])).toEqual([
      ['request', 'trash', '/files/yes'],
      ['request', 'trash', '/files/no'],
    ]);
    expect(lines[1].id).not.toBe(lines[2].id);
    expect(await client.resize(800, 600)).toEqual({ ok: true });
    expect(lines[3]).toMatchObject({ type: 'request', action: 'resize', width: 800, height: 600 });
  });

  it('keeps what the app says before the server listens, and delivers it once it does', async () => {
    const sock = socketPath();
    client = createControlClient({ socketPath: sock, ...quiet });
    // The server opens a session's socket a moment after the app has started.
    expect(client.event({ kind: 'folder-opened', path: '/files', entries: 3 })).toBe(true);
    await new Promise((r) => setTimeout(r, 150));
    const { lines } = await listen(sock, () => ({ ok: true }), init);
    await until(() => lines.length === 1);
    expect(lines[0]).toMatchObject({ kind: 'folder-opened', entries: 3 });
    expect(await client.ready()).not.toBeNull();
  });

  it('ready(Infinity) waits for an init that comes late (a warm start), and hears what to open', async () => {
    const sock = socketPath();
    // Connected, but no session yet: the server says nothing until one is bound to the app.
    const { connections } = await listen(sock, () => undefined);
    client = createControlClient({ socketPath: sock, ...quiet });
    let heard: unknown = 'waiting';
    void client.ready(Infinity).then((i) => (heard = i));
    await until(() => connections.length === 1);
    // Node clamps a timer it cannot hold to 1 ms: Infinity must mean no timer at all.
    await new Promise((r) => setTimeout(r, 50));
    expect(heard).toBe('waiting');
    connections[0]!.write(JSON.stringify({ ...init, open: '/files/Reports/q3.pdf' }) + '\n');
    await until(() => heard !== 'waiting');
    expect(heard).toMatchObject({ grants: init.grants, open: '/files/Reports/q3.pdf' });
    expect(client.init?.open).toBe('/files/Reports/q3.pdf');
  });

  it('a wait without a timeout ends with null when the client is closed', async () => {
    client = createControlClient({ socketPath: socketPath(), ...quiet });
    const waiting = client.ready(Infinity);
    client.close();
    expect(await waiting).toBeNull();
    expect(await client.ready(Infinity)).toBeNull();
  });

  it('a request without a reply times out; a closed connection fails its requests and reconnects', async () => {
    const sock = socketPath();
    const { lines, connections } = await listen(sock, () => undefined);
    client = createControlClient({ socketPath: sock, ...quiet, requestTimeoutMs: 100 });
    expect(await client.trash('/files/slow')).toMatchObject({ ok: false, error: 'timeout' });
    const pending = client.trash('/files/dropped');
    await until(() => lines.length >= 2);
    connections[0]!.destroy();
    expect(await pending).toMatchObject({ ok: false, error: 'unavailable' });
    await until(() => connections.length === 2);
    client.event({ kind: 'file-opened', path: '/files/again' });
    await until(() => lines.length >= 3);
    expect(lines[2].path).toBe('/files/again');
  });

  it('passes resizes on, and runs the shutdown handlers once with the grace period', async () => {
    const sock = socketPath();
    const { connections } = await listen(sock, () => undefined, init);
    client = createControlClient({ socketPath: sock, ...quiet });
    await client.ready();
    const sizes: unknown[] = [];
    const shutdowns: unknown[] = [];
    client.onResize((s) => sizes.push(s));
    client.onShutdown((s) => void shutdowns.push(s));
    connections[0]!.write('{"v":2,"type":"resize","width":1024,"height":768}\n');
    connections[0]!.write('{"v":2,"type":"shutdown","graceMs":3000,"reason":"idle timeout"}\n');
    connections[0]!.write('{"v":2,"type":"shutdown","graceMs":3000,"reason":"idle timeout"}\n');
    await until(() => shutdowns.length === 1);
    expect(sizes).toEqual([{ width: 1024, height: 768 }]);
    expect(client.init?.display).toEqual({ width: 1024, height: 768 });
    await new Promise((r) => setTimeout(r, 20));
    expect(shutdowns).toEqual([{ graceMs: 3000, reason: 'idle timeout' }]);
  });

  it('ignores what it does not understand from the server, and tells the app', async () => {
    const sock = socketPath();
    const { connections } = await listen(sock, () => undefined);
    const said: string[] = [];
    client = createControlClient({ socketPath: sock, exitOnShutdown: false, log: (m) => said.push(m) });
    await until(() => connections.length === 1);
    connections[0]!.write('not json\n{"v":2,"type":"teleport"}\n{"v":2,"type":"init","display":{}}\n');
    await until(() => said.length === 3);
    expect(said.join(' ')).toMatch(/not JSON.*unknown type "teleport".*init: missing/);
    expect(client.init).toBeNull();
  });

  it('never sends a line over 4096 bytes, and keeps under the rate limit', async () => {
    const sock = socketPath();
    const { lines } = await listen(sock, () => ({ ok: true }));
    client = createControlClient({ socketPath: sock, ...quiet, perSecond: 10, burst: 5 });
    expect(client.event({ kind: 'file-opened', path: '/files/' + 'x'.repeat(4090) })).toBe(false);
    const sent = Array.from({ length: 10 }, (_, i) =>
      client!.event({ kind: 'page-viewed', path: '/files/a', page: i + 1 }),
    );
    expect(sent.filter(Boolean)).toHaveLength(5);
    await until(() => lines.length === 5);
    expect(await client.trash('/files/a')).toMatchObject({ ok: false, error: 'busy' });
  });
});
