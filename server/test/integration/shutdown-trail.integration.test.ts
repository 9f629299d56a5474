import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AuditPage, SessionInfo } from '@vitrine/protocol';
import { api, startTestServer, waitFor, type TestServer } from '../helpers.ts';

// A server stopping ends its sessions, and their ends are on the trail before it closes the
// trail: the successor on the same folders shows each session ended by the shutdown, once.

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
}, 90_000);
afterAll(async () => {
  await server?.close();
});

it('puts every session it ends on the way down on the trail, once', async () => {
  const ids: string[] = [];
  for (let i = 0; i < 2; i++) {
    const launched = await api<SessionInfo>(server.owner, 'POST', '/api/sessions', { appId: 'diagnostics' });
    expect(launched.status, JSON.stringify(launched.body)).toBe(201);
    ids.push(launched.body.id);
  }
  await waitFor('both running', async () => {
    const states = await Promise.all(
      ids.map(async (id) => (await api<SessionInfo>(server.owner, 'GET', `/api/sessions/${id}`)).body.state),
    );
    return states.every((s) => s === 'ready' || s === 'streaming');
  });
  server = await server.restart();
  for (const id of ids) {
    const trail = await api<AuditPage>(server.owner, 'GET', `/api/audit?session=${id}&order=asc`);
    const ends = trail.body.events.filter((e) => e.action === 'session.ended');
    expect(ends.map((e) => e.reason)).toEqual(['server shutdown']);
    expect((await api<SessionInfo>(server.owner, 'GET', `/api/sessions/${id}`)).body.endReason).toBe('server shutdown');
  }
}, 90_000);
