import { afterAll, beforeAll, expect, it } from 'vitest';
import type { SessionInfo } from '@vitrine/protocol';
import { api, startTestServer, waitFor, type TestServer } from '../helpers.ts';
import { WeriftViewer } from '../werift-viewer.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ PEER_GRACE_MS: '800' });
});
afterAll(async () => server?.close());

const state = async (id: string) => (await api<SessionInfo>(server.owner, 'GET', `/api/sessions/${id}`)).body;

it('ends a session nobody connects to with "peer gone"', async () => {
  const { body } = await api<SessionInfo>(server.owner, 'POST', '/api/sessions', { appId: 'xclock' });
  const ended = await waitFor('session to end', async () =>
    (await state(body.id)).state === 'ended' ? state(body.id) : null,
  );
  expect(ended.endReason).toBe('peer gone');
});

it('keeps a session while its viewer is connected, lets a reloaded viewer take over, and ends it once the viewer is gone', async () => {
  const { body } = await api<SessionInfo>(server.owner, 'POST', '/api/sessions', { appId: 'xclock' });
  const first = new WeriftViewer(server.owner, body.id);
  await waitFor('streaming', async () => (await state(body.id)).state === 'streaming');
  await first.close();
  await waitFor('back to ready', async () => (await state(body.id)).state === 'ready');
  // A page reload within the grace period reconnects to the same session.
  const second = new WeriftViewer(server.owner, body.id);
  await waitFor('streaming again', async () => (await state(body.id)).state === 'streaming');
  await new Promise((r) => setTimeout(r, 1200)); // longer than the grace period: must survive while viewed
  expect((await state(body.id)).state).toBe('streaming');
  await second.close();
  const ended = await waitFor('session to end', async () =>
    (await state(body.id)).state === 'ended' ? state(body.id) : null,
  );
  expect(ended.endReason).toBe('peer gone');
});
