import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { keepAlive } from './keepalive.ts';
import { waitFor } from '../../test/helpers.ts';

const closers: Array<() => void> = [];
afterEach(() => {
  for (const c of closers.splice(0)) c();
});

/** A real server and client on loopback; the server side gets the keep-alive. */
async function pair(client: { autoPong: boolean }) {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  closers.push(() => server.close());
  await once(server, 'listening');
  const accepted = once(server, 'connection') as Promise<[WebSocket]>;
  const ws = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`, { autoPong: client.autoPong });
  closers.push(() => ws.terminate());
  const [serverSide] = await accepted;
  keepAlive(serverSide, 50);
  return { ws, serverSide };
}

describe('signaling keep-alive', () => {
  it('pings a quiet connection, and keeps one that answers open', async () => {
    const { ws, serverSide } = await pair({ autoPong: true });
    let pings = 0;
    ws.on('ping', () => pings++);
    await waitFor('three pings', () => pings >= 3, 2000);
    expect(serverSide.readyState).toBe(WebSocket.OPEN);
  });

  it('ends a connection whose peer stopped answering', async () => {
    const { serverSide } = await pair({ autoPong: false });
    const [code] = (await once(serverSide, 'close')) as [number];
    expect(code).toBe(1006); // terminated: no closing handshake with a peer that is gone
  });
});
