import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent, ReceivedShare, Share } from '@vitrine/protocol';
import { call, register, tokenOf, type TestUser } from '../auth-client.ts';
import { api, createShare, startTestServer, type TestServer } from '../helpers.ts';

describe('a share invitation is bound to the invited address (issue 16, item 10)', () => {
  let server: TestServer;
  let bob: TestUser;
  beforeAll(async () => {
    server = await startTestServer();
    await api(server.owner, 'POST', '/api/files/folders', { path: 'Reports' });
    // Bob is a client already (of another share), signed in.
    const his = await createShare(server.owner, {
      clientEmail: 'bob@example.test',
      paths: [{ path: 'Reports', access: 'view' }],
    });
    bob = await register(server.url, server.publicUrl(), his.invitation.link, { displayName: 'Bob' });
  }, 120_000);
  afterAll(() => server?.close(), 60_000);

  it("a signed-in client holding someone else's link is refused, and nothing changes", async () => {
    const forAlice = await createShare(server.owner, {
      clientEmail: 'alice@example.test',
      label: 'For Alice',
      paths: [{ path: 'Reports', access: 'view' }],
    });
    const token = tokenOf(forAlice.invitation.link);

    const taken = await call<{ error: string; message: string }>(bob, 'POST', '/api/invitations/accept', { token });
    expect(taken.status).toBe(403);
    expect(taken.body.error).toBe('forbidden');
    expect(taken.body.message).toMatch(/sent to another e-mail address, not to bob@example\.test/);

    // Nothing changed: Bob did not get the share, it still waits for Alice, and her link still works.
    const bobs = (await call<ReceivedShare[]>(bob, 'GET', '/api/shared-with-me')).body;
    expect(bobs.map((s) => s.id)).not.toContain(forAlice.share.id);
    const share = (await api<Share>(server.owner, 'GET', `/api/shares/${forAlice.share.id}`)).body;
    expect(share).toMatchObject({ status: 'pending', client: null });
    const alice = await register(server.url, server.publicUrl(), forAlice.invitation.link, { displayName: 'Alice' });
    expect((await call<ReceivedShare[]>(alice, 'GET', '/api/shared-with-me')).body.map((s) => s.id)).toEqual([
      forAlice.share.id,
    ]);

    // The refusal is on the trail, by Bob, about the owner's share.
    await server.audit.flush();
    const trail = await api<{ events: AuditEvent[] }>(
      server.owner,
      'GET',
      `/api/audit?scope=server&action=invitation.accept&share=${forAlice.share.id}`,
    );
    expect(trail.body.events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ outcome: 'denied', actor: expect.objectContaining({ id: bob.me.id }) }),
      ]),
    );
  }, 60_000);

  it('the invited client accepts a further share as before', async () => {
    const again = await createShare(server.owner, {
      clientEmail: 'bob@example.test',
      paths: [{ path: 'Reports', access: 'view' }],
    });
    expect((await call(bob, 'POST', '/api/invitations/accept', { token: tokenOf(again.invitation.link) })).status).toBe(
      204,
    );
    expect((await call<ReceivedShare[]>(bob, 'GET', '/api/shared-with-me')).body.map((s) => s.id)).toContain(
      again.share.id,
    );
  }, 60_000);
});
