import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors.ts';
import type { Actor } from '../policies/policies.ts';
import { resolveLaunch, uniqueMount, type LaunchDeps } from './entitlements.ts';
import type { ShareRecord } from '../shares/share-store.ts';

const owner: Actor = { id: 'o', role: 'owner', admin: false, signInId: 'so' };
const client: Actor = { id: 'c', role: 'client', admin: false, signInId: 'sc' };

const record = (over: Partial<ShareRecord> = {}): ShareRecord => ({
  id: 's',
  ownerId: 'o',
  ownerName: 'O',
  ownerEmail: 'o@example.test',
  clientEmail: 'c@example.test',
  client: { id: 'c', displayName: 'C', email: 'c@example.test' },
  label: '',
  paths: [
    { path: 'Reports', access: 'view' },
    { path: 'Work/Reports', access: 'edit' },
    { path: 'Gone', access: 'delete' },
    { path: 'a/b/contract.pdf', access: 'delete' },
  ],
  expiresAt: new Date(Date.now() + 60_000),
  maxSessionMinutes: 30,
  watermark: true,
  createdAt: new Date(),
  revokedAt: null,
  ...over,
});

const deps = (share: ShareRecord | undefined, warnings: string[] = []): LaunchDeps => ({
  getShare: async () => share,
  ownerRoot: (id) => `/srv/storage/${id}/files`,
  resolveExisting: async (ownerId, rel) => {
    if (rel === 'Gone') throw new DomainError(404, 'not-found', 'no such file');
    return { hostPath: `/srv/storage/${ownerId}/files/${rel}` };
  },
  log: { warn: (_o, msg) => warnings.push(msg) },
});

describe('resolveLaunch', () => {
  it('gives an owner their whole storage at /files, with every right', async () => {
    expect(await resolveLaunch(owner, undefined, deps(undefined))).toEqual({
      userId: 'o',
      userRole: 'owner',
      signInId: 'so',
      shareId: null,
      maxDurationMs: null,
      watermark: null,
      storageOwnerId: 'o',
      entitlements: [{ hostPath: '/srv/storage/o/files', sandboxPath: '/files', access: 'read-write-delete' }],
    });
  });

  it('refuses a client without a share', async () => {
    await expect(resolveLaunch(client, undefined, deps(undefined))).rejects.toMatchObject({ status: 403 });
  });

  it('maps each shared path to /files/<name> with its access, skipping what no longer exists', async () => {
    const warnings: string[] = [];
    const launch = await resolveLaunch(client, 's', deps(record(), warnings));
    expect(launch.entitlements).toEqual([
      { hostPath: '/srv/storage/o/files/Reports', sandboxPath: '/files/Reports', access: 'read' },
      { hostPath: '/srv/storage/o/files/Work/Reports', sandboxPath: '/files/Reports (2)', access: 'read-write' },
      {
        hostPath: '/srv/storage/o/files/a/b/contract.pdf',
        sandboxPath: '/files/contract.pdf',
        access: 'read-write-delete',
      },
    ]);
    expect(launch.maxDurationMs).toBe(30 * 60_000);
    expect(launch.shareId).toBe('s');
    expect(launch.storageOwnerId).toBe('o');
    expect(warnings).toEqual(['shared path unavailable']);
    // The share's watermark names the client watching.
    expect(launch.watermark).toBe('c@example.test');
    expect((await resolveLaunch(client, 's', deps(record({ watermark: false })))).watermark).toBeNull();
  });

  it('does not open expired, revoked, other people’s or emptied shares', async () => {
    const expired = record({ expiresAt: new Date(Date.now() - 1) });
    await expect(resolveLaunch(client, 's', deps(expired))).rejects.toMatchObject({ status: 404 });
    await expect(resolveLaunch(client, 's', deps(record({ revokedAt: new Date() })))).rejects.toMatchObject({
      status: 404,
    });
    const someoneElse = { ...client, id: 'x' };
    await expect(resolveLaunch(someoneElse, 's', deps(record()))).rejects.toMatchObject({ status: 404 });
    await expect(resolveLaunch(client, 'missing', deps(undefined))).rejects.toMatchObject({ status: 404 });
    const empty = record({ paths: [{ path: 'Gone', access: 'view' }] });
    await expect(resolveLaunch(client, 's', deps(empty))).rejects.toMatchObject({ status: 409 });
  });

  it('names the whole storage, when shared, without revealing host paths', () => {
    expect(uniqueMount('', new Set())).toBe('/files/Shared files');
  });
});
