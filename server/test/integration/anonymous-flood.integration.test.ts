import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '@vitrine/protocol';
import { alsoOnIPv6Loopback, api, startTestServer, type TestServer } from '../helpers.ts';

const FLOOD = 3000;

/** One plain GET; resolves to the status and the headers that matter here. */
function get(url: string, agent: http.Agent, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; retryAfter: string | undefined }>((resolve, reject) => {
    const req = http.get(url, { agent, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] }));
    });
    req.on('error', reject);
  });
}

describe('a signed-out flood (issue 16, item 2)', () => {
  let server: TestServer;
  let ipv6: Awaited<ReturnType<typeof alsoOnIPv6Loopback>>;
  beforeAll(async () => {
    server = await startTestServer();
    ipv6 = await alsoOnIPv6Loopback(server);
  }, 120_000);
  afterAll(async () => {
    await ipv6?.close();
    await server?.close();
  }, 60_000);

  it('is limited before authentication, recorded as a few summaries, and leaves other addresses alone', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
    const statuses = new Map<number, number>();
    const started = performance.now();
    let retryAfter: string | undefined;
    // Meanwhile, from the other address: a signed-out visitor can still start signing in, and a
    // signed-in person works as ever (sampled alongside every third batch of the flood).
    const otherAddress: number[] = [];
    const sameAddress: number[] = [];
    const sample = async () => {
      const visitor = await fetch(`${ipv6.url}/api/auth/login/options`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      const person = await api({ url: ipv6.url, cookie: server.owner.cookie }, 'GET', '/api/auth/me');
      otherAddress.push(visitor.status, person.status);
      // A sign-in is never counted as anonymous, even from the flooding address.
      sameAddress.push((await api(server.owner, 'GET', '/api/auth/me')).status);
    };
    for (let batch = 0; batch < FLOOD / 100; batch++) {
      const [answers] = await Promise.all([
        Promise.all(
          Array.from({ length: 100 }, () => get(`${server.url}/api/files`, agent, { 'user-agent': 'flood/1' })),
        ),
        batch % 3 === 2 ? sample() : undefined,
      ]);
      for (const r of answers) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      retryAfter ??= answers.find((r) => r.status === 429)?.retryAfter;
    }
    agent.destroy();
    const seconds = (performance.now() - started) / 1000;

    // A burst of 100, then one a second.
    expect(statuses.get(401) ?? 0).toBeLessThanOrEqual(100 + Math.ceil(seconds));
    expect(statuses.get(429)).toBeGreaterThanOrEqual(FLOOD - 100 - Math.ceil(seconds));
    expect((statuses.get(401) ?? 0) + (statuses.get(429) ?? 0)).toBe(FLOOD);
    expect(retryAfter).toBe('1');
    expect(otherAddress).toEqual(new Array(20).fill(200));
    expect(sameAddress).toEqual(new Array(10).fill(200));
    // A forwarded address from a peer that is no trusted proxy changes nothing.
    const spoofed = await get(`${server.url}/api/files`, new http.Agent(), { 'x-forwarded-for': '203.0.113.9' });
    expect(spoofed.status).toBe(429);

    // Restarting ends the minute's window: its counts are written as summaries before the trail closes.
    server = await server.restart();
    const trail = (
      await api<{ events: AuditEvent[] }>(server.owner, 'GET', '/api/audit?scope=server&action=file.list&limit=500')
    ).body.events.filter((e) => e.ip === '127.0.0.1' && e.actor.id === null);
    // Four rows for 3,001 requests: the first 401 and the first 429 in full, and one summary each.
    expect(trail.length).toBeLessThanOrEqual(4);
    const full = trail.filter((e) => e.detail.summary === undefined);
    expect(full.map((e) => [e.reason, e.userAgent]).sort()).toEqual([
      ['rate-limited', 'flood/1'],
      ['unauthenticated', 'flood/1'],
    ]);
    const folded = trail.reduce((n, e) => n + (typeof e.detail.refusals === 'number' ? e.detail.refusals : 0), 0);
    // Every refusal is accounted for: the flood's and the spoofed one.
    expect(full.length + folded).toBe(FLOOD + 1);
  }, 240_000);
});
