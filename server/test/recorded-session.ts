import { expect } from 'vitest';
import type { SessionInfo } from '@vitrine/protocol';
import { call, register, type TestUser } from './auth-client.ts';
import { createShare, waitFor } from './helpers.ts';
import type { WeriftViewer } from './werift-viewer.ts';

/**
 * A recorded, watchable share of `Deal` for a new client, who launches the diagnostics app on it
 * (acknowledging the recording) and views it (through `view`, which keeps the viewer to close it)
 * until video flows.
 */
export async function recordedSession(
  url: string,
  origin: string,
  owner: TestUser,
  email: string,
  view: (user: TestUser, sessionId: string) => WeriftViewer,
) {
  // 201, or 409 when an earlier share of this owner made it.
  await call(owner, 'POST', '/api/files/folders', { path: 'Deal' });
  const created = await createShare(owner, {
    clientEmail: email,
    label: 'Deal room',
    paths: [{ path: 'Deal', access: 'view' }],
    apps: ['diagnostics'],
    recording: true,
    liveView: true,
  });
  const client = await register(url, origin, created.invitation.link, { displayName: 'Cleo Client' });
  const launched = await call<SessionInfo>(client, 'POST', '/api/sessions', {
    appId: 'diagnostics',
    shareId: created.share.id,
    acknowledgeRecording: true,
  });
  expect(launched.status, JSON.stringify(launched.body)).toBe(201);
  const seen = view(client, launched.body.id);
  await waitFor('video to the client', () => seen.rtpPackets > 50);
  return { client, id: launched.body.id, seen };
}
