import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createControlClient, decodeServerLine, type ControlClient } from '@vitrine/app-sdk';
import { ServerMessage } from '@vitrine/protocol';
import { listenControlChannel, type ControlChannel } from './control-channel.ts';
import { parseAppMessage, type AppEvent, type AppFileRequest } from './messages.ts';

/** Waits for something the sockets bring about. */
async function until(done: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * The SDK and the server speak one protocol: the SDK's client against the server's real channel,
 * every line on the wire checked by the other side's rules (the server's validators for what the
 * app sends, the server's schema and the SDK's decoder for what the server sends).
 */
describe('the app SDK and the server’s control channel', () => {
  let tmp: string | undefined;
  let channel: ControlChannel | undefined;
  let client: ControlClient | undefined;
  afterEach(() => {
    client?.close();
    channel?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('agree on every message either side sends', async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'control-contract-'));
    const sock = path.join(tmp, 'control.sock');
    const events: AppEvent[] = [];
    const requests: AppFileRequest[] = [];
    const resizes: unknown[] = [];
    channel = await listenControlChannel(
      sock,
      {
        event: (e) => events.push(e),
        request: async (r) => {
          requests.push(r);
          return r.action === 'trash' ? { ok: true } : { ok: false, error: 'denied', message: 'view-only' };
        },
        resize: async (size) => {
          resizes.push(size);
          return { ok: true };
        },
        hello: () => ({
          protocol: 2,
          display: { width: 1280, height: 720 },
          scale: 1,
          resizable: true,
          grants: [{ path: '/files/Reports', rights: ['read', 'write', 'delete'] }],
          open: '/files/Reports/q3.pdf',
          locale: 'de-CH',
          timeZone: 'Europe/Zurich',
        }),
      },
      // Told of the one bad line the test sends.
      { warn: () => {} },
    );

    // What the app sends, as the server reads it.
    const sent: string[] = [];
    client = createControlClient({ socketPath: sock, exitOnShutdown: false, log: (m) => expect.fail(m) });
    const init = await client.ready();
    expect(init).toMatchObject({
      locale: 'de-CH',
      grants: [{ path: '/files/Reports' }],
      open: '/files/Reports/q3.pdf',
    });
    const shutdowns: unknown[] = [];
    const sizes: unknown[] = [];
    client.onShutdown((s) => void shutdowns.push(s));
    client.onResize((s) => sizes.push(s));

    const tap = (direction: string[]) => (line: string) => direction.push(line);
    const appLines = tap(sent);
    for (const kind of ['folder-opened', 'file-opened', 'page-viewed', 'file-closed'] as const) {
      const body = {
        kind,
        path: '/files/Reports/q3.pdf',
        ...(kind === 'page-viewed' ? { page: 2, pages: 9, zoom: 125 } : {}),
      };
      expect(client.event(body)).toBe(true);
      appLines(JSON.stringify({ v: 2, type: 'event', ...body }));
    }
    expect(await client.trash('/files/Reports/old.pdf')).toEqual({ ok: true });
    expect(await client.move('/files/Reports/a.pdf', '/files/Reports/b.pdf')).toEqual({
      ok: false,
      error: 'denied',
      message: 'view-only',
    });
    expect(await client.resize(1024, 768)).toEqual({ ok: true });
    await until(() => events.length === 4);
    for (const line of sent) expect(parseAppMessage(line).ok, line).toBe(true);
    expect(events.map((e) => e.kind)).toEqual(['folder-opened', 'file-opened', 'page-viewed', 'file-closed']);
    expect(requests.map((r) => [r.action, r.path, r.to])).toEqual([
      ['trash', '/files/Reports/old.pdf', undefined],
      ['move', '/files/Reports/a.pdf', '/files/Reports/b.pdf'],
    ]);
    expect(resizes).toEqual([{ width: 1024, height: 768 }]);

    // What the server sends, as it goes over the wire: a second connection listens in, and asks
    // what gets a reply and an error.
    const heard: string[] = [];
    const tapSocket = net.createConnection(sock);
    tapSocket.setEncoding('utf8');
    let buffer = '';
    tapSocket.on('data', (d: string) => {
      buffer += d;
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        heard.push(buffer.slice(0, nl));
        buffer = buffer.slice(nl + 1);
      }
    });
    await until(() => heard.length === 1);
    tapSocket.write('{"v":2,"type":"request","id":5,"action":"trash","path":"/files/Reports/x"}\n');
    tapSocket.write('{"v":2,"type":"request","id":6,"action":"move","path":"/files/a","to":"/files/b"}\n');
    tapSocket.write('not json\n');
    await until(() => heard.length === 4);
    expect(channel.broadcast({ type: 'resize', width: 1024, height: 768 })).toBe(2);
    expect(channel.broadcast({ type: 'shutdown', graceMs: 3000, reason: 'idle timeout' })).toBe(2);
    await until(() => shutdowns.length === 1 && heard.length === 6);
    tapSocket.destroy();
    expect(sizes).toEqual([{ width: 1024, height: 768 }]);
    expect(shutdowns).toEqual([{ graceMs: 3000, reason: 'idle timeout' }]);
    expect(heard.map((l) => JSON.parse(l).type).sort()).toEqual([
      'error',
      'init',
      'reply',
      'reply',
      'resize',
      'shutdown',
    ]);
    for (const line of heard) {
      expect(ServerMessage.safeParse(JSON.parse(line)).success, line).toBe(true);
      expect(decodeServerLine(line), line).toEqual(JSON.parse(line));
    }
  });

  it('agree on init with and without what to open; the server sends only a path of a grant', () => {
    const base = {
      v: 2,
      type: 'init',
      protocol: 2,
      display: { width: 1280, height: 720 },
      scale: 1,
      resizable: false,
      grants: [{ path: '/files/Reports', rights: ['read'] }],
      locale: 'en-US',
      timeZone: 'UTC',
    };
    for (const open of [undefined, '/files/Reports', '/files/Reports/2024/q3.pdf']) {
      const line = JSON.stringify({ ...base, open });
      expect(ServerMessage.safeParse(JSON.parse(line)).success, line).toBe(true);
      // Absent stays absent: an app can tell "nothing to open" by the key alone.
      expect(decodeServerLine(line), line).toStrictEqual(JSON.parse(line));
    }
    for (const open of ['/files/Other/a.pdf', '/files/ReportsX', '/files']) {
      expect(ServerMessage.safeParse({ ...base, open }).success, open).toBe(false);
    }
    expect(decodeServerLine(JSON.stringify({ ...base, open: 7 }))).toEqual({
      invalid: 'init: missing or wrong fields',
    });
  });
});
