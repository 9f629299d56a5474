import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createControlClient, type ControlClient } from '@vitrine/app-sdk';
import type { ServerInitBody } from './messages.ts';
import { listenDeferredControl, type DeferredControl } from './deferred-control.ts';
import type { AppEvent } from './messages.ts';

async function until(done: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const INIT: ServerInitBody = {
  protocol: 2,
  display: { width: 1280, height: 720 },
  scale: 1,
  resizable: true,
  grants: [{ path: '/files/Reports', rights: ['read'] }],
  locale: 'de-CH',
  timeZone: 'Europe/Zurich',
};

describe('a warm sandbox’s control socket', () => {
  let tmp: string | undefined;
  let control: DeferredControl | undefined;
  let client: ControlClient | undefined;
  const raws: net.Socket[] = [];
  afterEach(() => {
    client?.close();
    for (const r of raws.splice(0)) r.destroy();
    control?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('tells the waiting app nothing until a session binds it, then its init at once', async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'deferred-control-'));
    const sock = path.join(tmp, 'control.sock');
    control = await listenDeferredControl(sock, { warn: () => {} });
    process.env.VITRINE_CONTROL_SOCKET = sock;
    try {
      client = createControlClient({ log: () => {} });
    } finally {
      delete process.env.VITRINE_CONTROL_SOCKET;
    }
    // A raw connection sees every line the server sends.
    const heard: string[] = [];
    const raw = net.createConnection(sock);
    raws.push(raw);
    raw.setEncoding('utf8');
    raw.on('data', (d: string) => heard.push(...d.split('\n').filter(Boolean)));
    await new Promise((r) => raw.once('connect', r));
    const ready = client.ready();
    let told = false;
    void ready.then(() => (told = true));

    // Before a session: no init; what the app says is dropped, what it asks is refused (one
    // socket: the server reads its lines in order, so the event is handled before the answer).
    expect(client.event({ kind: 'folder-opened', path: '/files' })).toBe(true);
    const early = await client.trash('/files/Reports/a.pdf');
    expect(early).toMatchObject({ ok: false, error: 'unavailable' });
    expect(told).toBe(false);
    expect(heard.filter((l) => JSON.parse(l).type === 'init')).toEqual([]);

    const events: AppEvent[] = [];
    control.bind({
      event: (e) => events.push(e),
      request: async () => ({ ok: true }),
      hello: () => INIT,
    });
    expect(await ready).toMatchObject({ grants: INIT.grants, locale: 'de-CH' });
    await until(() => heard.some((l) => JSON.parse(l).type === 'init'));
    // From now on the session's handlers answer; the early event was not kept for it.
    expect(await client.trash('/files/Reports/a.pdf')).toEqual({ ok: true });
    raw.write(JSON.stringify({ v: 2, type: 'event', kind: 'folder-opened', path: '/files/Reports' }) + '\n');
    await until(() => events.length === 1);
    expect(events[0]).toMatchObject({ path: '/files/Reports' });
    // A connection made after binding hears init as it connects.
    const late: string[] = [];
    const raw2 = net.createConnection(sock);
    raws.push(raw2);
    raw2.setEncoding('utf8');
    raw2.on('data', (d: string) => late.push(...d.split('\n').filter(Boolean)));
    await until(() => late.length > 0);
    expect(JSON.parse(late[0]!)).toMatchObject({ type: 'init', locale: 'de-CH' });
  });

  it('serves one session only', async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'deferred-control-'));
    control = await listenDeferredControl(path.join(tmp, 'control.sock'), { warn: () => {} });
    const handlers = { event: () => {}, request: async () => ({ ok: true as const }) };
    const channel = control.bind(handlers);
    expect(() => control!.bind(handlers)).toThrow(/already serves a session/);
    channel.close();
    control.close(); // closing twice (session, then sandbox teardown) is harmless
  });
});
