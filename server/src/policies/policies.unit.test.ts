import { describe, expect, it } from 'vitest';
import { authorize, can, PolicyError, type Actor } from './policies.ts';

const admin: Actor = { id: 'a', role: 'owner', admin: true, signInId: 's1' };
const owner: Actor = { id: 'o', role: 'owner', admin: false, signInId: 's2' };
const client: Actor = { id: 'c', role: 'client', admin: false, signInId: 's3' };
const stranger: Actor = { id: 'x', role: 'client', admin: false, signInId: 's4' };

const share = (status: 'pending' | 'active' | 'expired' | 'revoked') => ({ ownerId: 'o', clientId: 'c', status });

function outcome(fn: () => void): 'ok' | 403 | 404 {
  try {
    fn();
    return 'ok';
  } catch (err) {
    if (err instanceof PolicyError) return err.status as 403 | 404;
    throw err;
  }
}

describe('policies', () => {
  it('storage belongs to its owner; clients may not have any', () => {
    for (const action of ['browse', 'write', 'download'] as const) {
      expect(can(owner, action, 'Storage', { ownerId: 'o' })).toBe(true);
      expect(outcome(() => authorize(client, action, 'Storage', { ownerId: 'c' }))).toBe(403);
      expect(outcome(() => authorize(owner, action, 'Storage', { ownerId: 'a' }))).toBe(404);
    }
  });

  it('shares: the owner manages, the client opens while active, everyone else does not know it exists', () => {
    expect(outcome(() => authorize(owner, 'update', 'Share', share('active')))).toBe('ok');
    expect(outcome(() => authorize(owner, 'revoke', 'Share', share('revoked')))).toBe(403);
    expect(outcome(() => authorize(owner, 'archive', 'Share', share('revoked')))).toBe('ok');
    expect(outcome(() => authorize(owner, 'archive', 'Share', share('expired')))).toBe('ok');
    expect(outcome(() => authorize(owner, 'archive', 'Share', share('active')))).toBe(403);
    expect(outcome(() => authorize(stranger, 'archive', 'Share', share('revoked')))).toBe(404);
    expect(outcome(() => authorize(client, 'open', 'Share', share('active')))).toBe('ok');
    expect(outcome(() => authorize(client, 'update', 'Share', share('active')))).toBe(403);
    for (const status of ['pending', 'expired', 'revoked'] as const) {
      expect(outcome(() => authorize(client, 'open', 'Share', share(status)))).toBe(404);
    }
    expect(outcome(() => authorize(stranger, 'open', 'Share', share('active')))).toBe(404);
    expect(outcome(() => authorize(admin, 'read', 'Share', share('active')))).toBe(404);
    expect(outcome(() => authorize(owner, 'open', 'Share', share('active')))).toBe(403);
    expect(can(client, 'create', 'Share', { ownerId: 'c', clientId: null, status: 'pending' })).toBe(false);
  });

  it("a share's terms: accepted by its client while active; acceptances read by its owner and admins only", () => {
    expect(outcome(() => authorize(client, 'accept-terms', 'Share', share('active')))).toBe('ok');
    for (const status of ['pending', 'expired', 'revoked'] as const) {
      expect(outcome(() => authorize(client, 'accept-terms', 'Share', share(status)))).toBe(404);
    }
    expect(outcome(() => authorize(stranger, 'accept-terms', 'Share', share('active')))).toBe(404);
    expect(outcome(() => authorize(owner, 'accept-terms', 'Share', share('active')))).toBe(403);
    expect(outcome(() => authorize(owner, 'read', 'TermsAcceptances', { ownerId: 'o' }))).toBe('ok');
    expect(outcome(() => authorize(admin, 'read', 'TermsAcceptances', { ownerId: 'o' }))).toBe('ok');
    expect(outcome(() => authorize(client, 'read', 'TermsAcceptances', { ownerId: 'o' }))).toBe(404);
    expect(outcome(() => authorize(owner, 'read', 'TermsAcceptances', { ownerId: 'a' }))).toBe(404);
  });

  it('sessions are their launcher’s; host details are for admins only', () => {
    expect(outcome(() => authorize(client, 'signal', 'Session', { userId: 'c' }))).toBe('ok');
    expect(outcome(() => authorize(stranger, 'end', 'Session', { userId: 'c' }))).toBe(404);
    expect(outcome(() => authorize(client, 'inspect-host', 'Session', { userId: 'c' }))).toBe(403);
    expect(outcome(() => authorize(admin, 'inspect-host', 'Session', { userId: 'a' }))).toBe('ok');
    expect(outcome(() => authorize(admin, 'inspect-host', 'Session', { userId: 'c' }))).toBe(404);
  });

  it("a client's live session is watched by the share's owner only, and only when the share allows it", () => {
    const session = { userId: 'c', ownerId: 'o', liveView: true };
    expect(outcome(() => authorize(owner, 'watch', 'Session', session))).toBe('ok');
    expect(outcome(() => authorize(owner, 'watch', 'Session', { ...session, liveView: false }))).toBe(404);
    expect(outcome(() => authorize(admin, 'watch', 'Session', session))).toBe(404);
    expect(outcome(() => authorize(stranger, 'watch', 'Session', session))).toBe(404);
    // Watching is not driving the session's signaling as its own, nor ending it.
    expect(outcome(() => authorize(owner, 'signal', 'Session', session))).toBe(403);
    expect(outcome(() => authorize(owner, 'end', 'Session', session))).toBe(403);
    // The client is in its own session already; "watching" it is not a second seat.
    expect(outcome(() => authorize(client, 'watch', 'Session', session))).toBe(403);
  });

  it("recordings are their owner's (admins may view them); a client never reaches one", () => {
    expect(outcome(() => authorize(owner, 'view', 'Recording', { ownerId: 'o' }))).toBe('ok');
    expect(outcome(() => authorize(owner, 'delete', 'Recording', { ownerId: 'o' }))).toBe('ok');
    expect(outcome(() => authorize(admin, 'view', 'Recording', { ownerId: 'o' }))).toBe('ok');
    expect(outcome(() => authorize(admin, 'delete', 'Recording', { ownerId: 'o' }))).toBe(403);
    expect(outcome(() => authorize(client, 'view', 'Recording', { ownerId: 'o' }))).toBe(404);
    expect(outcome(() => authorize(client, 'list', 'Recording', { ownerId: 'c' }))).toBe(403);
    expect(outcome(() => authorize(stranger, 'view', 'Recording', { ownerId: 'o' }))).toBe(404);
  });

  it('apps on own storage are for owners; owner invitations for admins; share invitations for clients', () => {
    expect(can(client, 'list', 'App', {})).toBe(true);
    expect(can(client, 'launch-on-own-storage', 'App', {})).toBe(false);
    expect(can(owner, 'launch-on-own-storage', 'App', {})).toBe(true);
    expect(can(owner, 'create', 'OwnerInvitation', {})).toBe(false);
    expect(can(admin, 'create', 'OwnerInvitation', {})).toBe(true);
    expect(can(client, 'accept', 'ShareInvitation', {})).toBe(true);
    expect(can(owner, 'accept', 'ShareInvitation', {})).toBe(false);
  });

  it('passkeys and sign-ins are managed only by their own person', () => {
    expect(outcome(() => authorize(owner, 'manage', 'Passkey', { userId: 'o' }))).toBe('ok');
    expect(outcome(() => authorize(admin, 'manage', 'Passkey', { userId: 'o' }))).toBe(404);
    expect(outcome(() => authorize(client, 'revoke', 'SignIn', { userId: 'o' }))).toBe(404);
  });

  it('a share is previewed by its owner only, until it is revoked', () => {
    expect(outcome(() => authorize(owner, 'preview', 'Share', share('pending')))).toBe('ok');
    expect(outcome(() => authorize(owner, 'preview', 'Share', share('expired')))).toBe('ok');
    expect(outcome(() => authorize(owner, 'preview', 'Share', share('revoked')))).toBe(403);
    expect(outcome(() => authorize(client, 'preview', 'Share', share('active')))).toBe(403);
    expect(outcome(() => authorize(admin, 'preview', 'Share', share('active')))).toBe(404);
  });

  it('denies an action nobody declared', () => {
    expect(can(admin, 'teleport' as never, 'Share', share('active'))).toBe(false);
  });
});
