import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ServerSignal, SessionInfo } from '@vitrine/protocol';
import { api, startTestServer, waitFor, type TestServer } from '../helpers.ts';
import WebSocket from 'ws';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({
    WEBRTC_UDP_PORTS: '41000-41100',
    // A TEST-NET address stands in for the public side of a 1:1 NAT. The test only reads the
    // signaling (no peer answers), so no packet is ever sent to it.
    WEBRTC_PUBLIC_IP: '192.0.2.10',
    ICE_SERVERS: JSON.stringify([{ urls: 'turn:127.0.0.1:3478', username: 'u', credential: 'c' }]),
  });
});
afterAll(async () => server?.close());

it('gathers only in the configured UDP port range, advertises the public IP and hands ICE servers to the viewer', async () => {
  const { body } = await api<SessionInfo>(server.owner, 'POST', '/api/sessions', { appId: 'xclock' });
  const viewer = { messages: [] as ServerSignal[] };
  const ws = new WebSocket(`${server.url.replace('http', 'ws')}/api/sessions/${body.id}/signal`, {
    headers: { cookie: server.owner.cookie },
  });
  ws.on('message', (raw) => viewer.messages.push(JSON.parse(raw.toString()) as ServerSignal));
  const offer = await waitFor('offer', () =>
    viewer.messages.find((m): m is Extract<ServerSignal, { type: 'offer' }> => m.type === 'offer'),
  );
  expect(offer.iceServers).toEqual([{ urls: 'turn:127.0.0.1:3478', username: 'u', credential: 'c' }]);
  await waitFor(
    'end of candidates',
    () => viewer.messages.some((m) => m.type === 'ice-candidate' && m.candidate === null),
    15_000,
  );
  const lines = [
    ...offer.sdp.split('\r\n').filter((l) => l.startsWith('a=candidate:')),
    ...viewer.messages.flatMap((m) => (m.type === 'ice-candidate' && m.candidate ? [m.candidate.candidate] : [])),
  ];
  const hosts = lines.filter((l) => l.includes(' typ host'));
  expect(hosts.length).toBeGreaterThan(0);
  for (const c of hosts) {
    const [, , , , address, port] = c.replace(/^a=/, '').split(' ');
    expect(address).toBe('192.0.2.10');
    expect(Number(port)).toBeGreaterThanOrEqual(41000);
    expect(Number(port)).toBeLessThanOrEqual(41100);
  }
  expect(lines.some((l) => l.includes('127.0.0.1 '))).toBe(false);
  ws.close();
  await api(server.owner, 'DELETE', `/api/sessions/${body.id}`);
}, 30_000);

it('hides private host candidates when told to, and hands the viewer per-session TURN credentials and the relay policy', async () => {
  const hidden = await startTestServer({
    ICE_PRIVATE_CANDIDATES: '0',
    TURN_URLS: 'turn:turn.example.test:3478?transport=udp',
    TURN_SECRET: 'a-shared-secret-of-some-length',
    TURN_TTL: '5m',
    ICE_TRANSPORT_POLICY: 'relay',
  });
  try {
    const { body } = await api<SessionInfo>(hidden.owner, 'POST', '/api/sessions', { appId: 'xclock' });
    const messages: ServerSignal[] = [];
    const ws = new WebSocket(`${hidden.url.replace('http', 'ws')}/api/sessions/${body.id}/signal`, {
      headers: { cookie: hidden.owner.cookie },
    });
    ws.on('message', (raw) => messages.push(JSON.parse(raw.toString()) as ServerSignal));
    const offer = await waitFor('offer', () =>
      messages.find((m): m is Extract<ServerSignal, { type: 'offer' }> => m.type === 'offer'),
    );
    await waitFor(
      'end of candidates',
      () => messages.some((m) => m.type === 'ice-candidate' && m.candidate === null),
      15_000,
    );
    const lines = [
      ...offer.sdp.split('\r\n').filter((l) => l.startsWith('a=candidate:')),
      ...messages.flatMap((m) => (m.type === 'ice-candidate' && m.candidate ? [m.candidate.candidate] : [])),
    ];
    // The only address here is loopback: nothing is offered, so nothing about the host leaks.
    expect(lines).toEqual([]);
    expect(offer.iceTransportPolicy).toBe('relay');
    const [turn] = offer.iceServers;
    expect(turn).toMatchObject({ urls: ['turn:turn.example.test:3478?transport=udp'] });
    const [expiry, who] = String(turn!.username).split(':');
    expect(who).toBe(body.id);
    expect(Number(expiry) * 1000).toBeGreaterThan(Date.now() + 4 * 60_000);
    expect(Number(expiry) * 1000).toBeLessThanOrEqual(Date.now() + 5 * 60_000);
    expect(turn!.credential).not.toContain('a-shared-secret');
    ws.close();
    await api(hidden.owner, 'DELETE', `/api/sessions/${body.id}`);
  } finally {
    await hidden.close();
  }
}, 30_000);
