import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionInfo } from '@vitrine/protocol';
import { alsoOnIPv6Loopback, api, startTestServer, waitFor, type TestServer } from '../helpers.ts';
import { WeriftViewer } from '../werift-viewer.ts';

/** A raw connection to the server, and when (ms after it was opened) and how it ended. */
interface Probe {
  socket: net.Socket;
  openedAt: number;
  received: string;
  closedAfterMs?: number;
}

function connect(url: string, onConnect?: (socket: net.Socket) => void): Probe {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname.replace(/^\[|\]$/g, ''));
  const probe: Probe = { socket, openedAt: performance.now(), received: '' };
  socket.on('data', (d) => (probe.received += d.toString('latin1')));
  socket.on('error', () => {});
  socket.on('close', () => (probe.closedAfterMs = performance.now() - probe.openedAt));
  if (onConnect) socket.once('connect', () => onConnect(socket));
  return probe;
}

/** Writes `text` one byte every `everyMs` while the socket is open. */
function trickle(socket: net.Socket, text: string, everyMs: number): void {
  let i = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || i >= text.length) return clearInterval(timer);
    socket.write(text[i++]!);
  }, everyMs);
}

const closed = (probes: Probe[]) => probes.every((p) => p.closedAfterMs !== undefined);

describe('silent and slow connections are closed (issue 16, item 3)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      HTTP_HEADERS_TIMEOUT: '1s',
      HTTP_REQUEST_TIMEOUT: '1s',
      HTTP_IDLE_TIMEOUT: '2s',
      HTTP_KEEP_ALIVE_TIMEOUT: '1s',
    });
  }, 120_000);
  afterAll(() => server?.close(), 60_000);

  it('closes connections that send nothing, trickle headers or a body, or idle after an answer', async () => {
    const silent = Array.from({ length: 20 }, () => connect(server.url));
    const headers = connect(server.url, (s) =>
      trickle(s, `GET /api/openapi.json HTTP/1.1\r\nHost: localhost\r\n${'X-Slow: y\r\n'.repeat(20)}\r\n`, 100),
    );
    const body = connect(server.url, (s) => {
      s.write('POST /api/auth/login/options HTTP/1.1\r\nHost: localhost\r\n');
      s.write('Content-Type: application/json\r\nContent-Length: 200\r\n\r\n');
      trickle(s, `{${' '.repeat(198)}}`, 100);
    });
    const kept = connect(server.url, (s) => s.write('GET /api/openapi.json HTTP/1.1\r\nHost: localhost\r\n\r\n'));
    // Meanwhile a normal request is answered.
    expect((await api(server.owner, 'GET', '/api/status')).status).toBe(200);
    await waitFor('every slow connection to be closed', () => closed([...silent, headers, body, kept]), 15_000);

    // Each after its own timeout (1 s; keep-alive 1 s after the answer, plus Node's 1 s grace), not at once.
    for (const p of silent) expect(p.closedAfterMs).toBeGreaterThanOrEqual(900);
    for (const p of silent) expect(p.closedAfterMs).toBeLessThan(5000);
    expect(headers.closedAfterMs).toBeGreaterThanOrEqual(900);
    expect(headers.closedAfterMs).toBeLessThan(5000);
    expect(body.closedAfterMs).toBeGreaterThanOrEqual(900);
    expect(body.closedAfterMs).toBeLessThan(5000);
    expect(kept.received).toMatch(/^HTTP\/1\.1 200 /);
    expect(kept.closedAfterMs).toBeGreaterThanOrEqual(1900);
    expect(kept.closedAfterMs).toBeLessThan(8000);
  }, 60_000);

  it('an upload that keeps moving outlasts the request and idle timeouts', async () => {
    const chunk = Buffer.alloc(256 * 1024, 7);
    const chunks = 6;
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        `${server.url}/api/files/content?path=slow.bin`,
        {
          method: 'PUT',
          headers: {
            cookie: server.owner.cookie,
            'content-type': 'application/octet-stream',
            'content-length': String(chunk.length * chunks),
          },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      // 3 s in all, longer than the request timeout; a chunk every 0.5 s, well within the idle timeout.
      let sent = 0;
      const next = () => {
        req.write(chunk);
        if (++sent < chunks) setTimeout(next, 500);
        else req.end();
      };
      next();
    });
    expect(status).toBe(201);
    const files = await api<{ entries: Array<{ name: string; size: number }> }>(server.owner, 'GET', '/api/files');
    expect(files.body.entries.find((e) => e.name === 'slow.bin')?.size).toBe(chunk.length * chunks);
  }, 60_000);

  it("keeps a viewer's signaling WebSocket open through silence longer than every timeout", async () => {
    const { body } = await api<SessionInfo>(server.owner, 'POST', '/api/sessions', { appId: 'diagnostics' });
    const viewer = new WeriftViewer(server.owner, body.id);
    expect(await viewer.refused).toBeUndefined();
    await waitFor('video', () => viewer.rtpPackets > 0, 30_000);
    const quiet = viewer.messages.length;
    let ended = false;
    void viewer.closed.then(() => (ended = true));
    // Nothing to wait for here but time: 4 s is past the headers, idle and keep-alive timeouts.
    await new Promise((r) => setTimeout(r, 4000));
    expect(ended).toBe(false);
    // Still open both ways: a bad message gets its error back.
    viewer.sendRaw('not json');
    await waitFor('an answer on the same socket', () => viewer.messages.slice(quiet).some((m) => m.type === 'error'));
    await viewer.close();
    await api(server.owner, 'DELETE', `/api/sessions/${body.id}`);
  }, 90_000);
});

/** Sends one request on each of `n` fresh connections at once; sorts them into answered and refused. */
async function burst(url: string, n: number): Promise<{ answered: Probe[]; refused: Probe[] }> {
  const probes = Array.from({ length: n }, () =>
    connect(url, (s) => s.write('GET /api/openapi.json HTTP/1.1\r\nHost: localhost\r\n\r\n')),
  );
  await waitFor('every connection answered or refused', () =>
    probes.every((p) => p.received.includes('\r\n\r\n') || p.closedAfterMs !== undefined),
  );
  return {
    answered: probes.filter((p) => p.received.startsWith('HTTP/1.1 200')),
    refused: probes.filter((p) => p.received === '' && p.closedAfterMs !== undefined),
  };
}

describe('connection caps refuse extra connections at once (issue 16, item 3)', () => {
  let perAddress: TestServer;
  let total: TestServer;
  let ipv6: Awaited<ReturnType<typeof alsoOnIPv6Loopback>>;
  beforeAll(async () => {
    // ::1 stands for a reverse proxy in front.
    perAddress = await startTestServer(
      { MAX_CONNECTIONS_PER_ADDRESS: '10', TRUSTED_PROXIES: '::1' },
      { registerOwner: false },
    );
    total = await startTestServer({ MAX_CONNECTIONS: '10' }, { registerOwner: false });
    ipv6 = await alsoOnIPv6Loopback(perAddress);
  }, 120_000);
  afterAll(async () => {
    await ipv6?.close();
    await perAddress?.close();
    await total?.close();
  }, 60_000);

  for (const which of ['per address', 'in all'] as const) {
    it(`${which}: the connections beyond 10 are closed unanswered; a slot freed is usable again`, async () => {
      const server = which === 'per address' ? perAddress : total;
      const { answered, refused } = await burst(server.url, 15);
      expect(answered).toHaveLength(10);
      expect(refused).toHaveLength(5);
      // At once, not after a timeout (the headers timeout is 10 s here).
      for (const p of refused) expect(p.closedAfterMs).toBeLessThan(2000);
      if (which === 'per address') {
        // Another address is not held back by this one's connections.
        expect((await fetch(`${ipv6.url}/api/openapi.json`)).status).toBe(200);
      }
      for (const p of answered) p.socket.destroy();
      await waitFor('a slot to be free again', async () => {
        const again = await burst(server.url, 1);
        for (const p of [...again.answered, ...again.refused]) p.socket.destroy();
        return again.answered.length === 1;
      });
      expect((await fetch(`${server.url}/api/openapi.json`)).status).toBe(200);
    }, 60_000);
  }

  it('a trusted proxy may hold more, and the address it forwards is the one limited', async () => {
    const viaProxy = await burst(ipv6.url, 15);
    expect(viaProxy.answered).toHaveLength(15);
    for (const p of viaProxy.answered) p.socket.destroy();
    const asClient = async (address: string) =>
      (await fetch(`${ipv6.url}/api/status`, { headers: { 'x-forwarded-for': address } })).status;
    const one: number[] = [];
    for (let i = 0; i < 110; i++) one.push(await asClient('198.51.100.1'));
    expect(one.slice(0, 100)).toEqual(new Array(100).fill(401));
    expect(one.slice(-5)).toEqual(new Array(5).fill(429));
    // Another client behind the same proxy has its own allowance.
    expect(await asClient('198.51.100.2')).toBe(401);
  }, 60_000);
});
