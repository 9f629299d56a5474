import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors.ts';
import type { Actor } from '../policies/policies.ts';
import { resolveLaunch, uniqueMount, type LaunchDeps } from './entitlements.ts';
import type { ShareRecord } from '../shares/share-store.ts';

const owner: Actor = { id: 'o', role: 'owner', admin: false, signInId: 'so' };
const client: Actor = { id: 'c', role: 'client', admin: false, signInId: 'sc' };
/** What most launches here open: the app every share names unless its owner chose otherwise. */
const EXPLORER = { appId: 'file-explorer' };

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
  watermarkDensity: 'dense',
  watermarkOpacity: 0.2,
  recording: false,
  liveView: false,
  terms: { text: null, version: null },
  apps: ['file-explorer'],
  createdAt: new Date(),
  revokedAt: null,
  archivedAt: null,
  ...over,
});

const deps = (
  share: ShareRecord | undefined,
  warnings: string[] = [],
  accepted: Array<[string, string, number]> = [],
): LaunchDeps => ({
  getShare: async () => share,
  ownerRoot: (id) => `/srv/storage/${id}/files`,
  resolveExisting: async (ownerId, rel) => {
    if (rel === 'Gone') throw new DomainError(404, 'not-found', 'no such file');
    return { hostPath: `/srv/storage/${ownerId}/files/${rel}` };
  },
  personName: async (id) => (id === 'o' ? 'Olga Owner' : undefined),
  termsAccepted: async (shareId, userId, version) =>
    accepted.some(([s, u, v]) => s === shareId && u === userId && v === version),
  log: { warn: (_o, msg) => warnings.push(msg) },
});

describe('resolveLaunch', () => {
  it('gives an owner their whole storage at /files, with every right', async () => {
    expect(await resolveLaunch(owner, undefined, deps(undefined), undefined, EXPLORER)).toEqual({
      userId: 'o',
      userRole: 'owner',
      signInId: 'so',
      shareId: null,
      maxDurationMs: null,
      watermark: null,
      preview: false,
      openPath: null,
      recording: false,
      liveView: false,
      storageOwnerId: 'o',
      entitlements: [{ hostPath: '/srv/storage/o/files', sandboxPath: '/files', access: 'read-write-delete' }],
    });
  });

  it('opens a share with terms only once its client accepted the version in force', async () => {
    const withTerms = record({ terms: { text: 'Keep it private.', version: 2 } });
    await expect(resolveLaunch(client, 's', deps(withTerms), undefined, EXPLORER)).rejects.toMatchObject({
      status: 403,
      code: 'terms-not-accepted',
    });
    // An acceptance of an earlier version does not cover the new text.
    await expect(
      resolveLaunch(client, 's', deps(withTerms, [], [['s', 'c', 1]]), undefined, EXPLORER),
    ).rejects.toMatchObject({
      code: 'terms-not-accepted',
    });
    await expect(
      resolveLaunch(client, 's', deps(withTerms, [], [['s', 'c', 2]]), undefined, EXPLORER),
    ).resolves.toMatchObject({
      shareId: 's',
    });
    // Terms that were removed (the count kept) ask for nothing.
    const removed = record({ terms: { text: null, version: 2 } });
    await expect(resolveLaunch(client, 's', deps(removed), undefined, EXPLORER)).resolves.toMatchObject({
      shareId: 's',
    });
    // The owner's preview is not the client's session: no terms to accept.
    await expect(resolveLaunch(owner, undefined, deps(withTerms), { shareId: 's' }, EXPLORER)).resolves.toMatchObject({
      preview: true,
    });
  });

  it("opens a recorded share only when the client acknowledged it; only the client's session is recorded", async () => {
    const recorded = record({ recording: true, liveView: true });
    await expect(resolveLaunch(client, 's', deps(recorded), undefined, EXPLORER)).rejects.toMatchObject({
      status: 409,
      code: 'recording-not-acknowledged',
    });
    await expect(
      resolveLaunch(client, 's', deps(recorded), undefined, { ...EXPLORER, acknowledgeRecording: false }),
    ).rejects.toMatchObject({ code: 'recording-not-acknowledged' });
    const launch = await resolveLaunch(client, 's', deps(recorded), undefined, {
      ...EXPLORER,
      acknowledgeRecording: true,
    });
    expect([launch.recording, launch.liveView]).toEqual([true, true]);
    const live = await resolveLaunch(client, 's', deps(record({ liveView: true })), undefined, EXPLORER);
    expect([live.recording, live.liveView]).toEqual([false, true]);
    const preview = await resolveLaunch(owner, undefined, deps(recorded), { shareId: 's' }, EXPLORER);
    expect([preview.recording, preview.liveView]).toEqual([false, false]);
  });

  it('refuses a client without a share', async () => {
    await expect(resolveLaunch(client, undefined, deps(undefined), undefined, EXPLORER)).rejects.toMatchObject({
      status: 403,
    });
  });

  it('maps each shared path to /files/<name> with its access, skipping what no longer exists', async () => {
    const warnings: string[] = [];
    const launch = await resolveLaunch(client, 's', deps(record(), warnings), undefined, EXPLORER);
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
    // The share's watermark names the client watching, with the share's settings.
    expect(launch.watermark).toEqual({ label: 'c@example.test', density: 'dense', opacity: 0.2 });
    expect(launch.preview).toBe(false);
    expect(launch.openPath).toBeNull();
    expect(
      (await resolveLaunch(client, 's', deps(record({ watermark: false })), undefined, EXPLORER)).watermark,
    ).toBeNull();
  });

  it('does not open expired, revoked, other people’s or emptied shares', async () => {
    const expired = record({ expiresAt: new Date(Date.now() - 1) });
    await expect(resolveLaunch(client, 's', deps(expired), undefined, EXPLORER)).rejects.toMatchObject({ status: 404 });
    await expect(
      resolveLaunch(client, 's', deps(record({ revokedAt: new Date() })), undefined, EXPLORER),
    ).rejects.toMatchObject({
      status: 404,
    });
    const someoneElse = { ...client, id: 'x' };
    await expect(resolveLaunch(someoneElse, 's', deps(record()), undefined, EXPLORER)).rejects.toMatchObject({
      status: 404,
    });
    await expect(resolveLaunch(client, 'missing', deps(undefined), undefined, EXPLORER)).rejects.toMatchObject({
      status: 404,
    });
    const empty = record({ paths: [{ path: 'Gone', access: 'view' }] });
    await expect(resolveLaunch(client, 's', deps(empty), undefined, EXPLORER)).rejects.toMatchObject({ status: 409 });
  });

  it('lets an owner preview their storage as a client would see it: read-only, watermarked with their name', async () => {
    const launch = await resolveLaunch(owner, undefined, deps(undefined), { path: 'Reports/q3.pdf' }, EXPLORER);
    expect(launch).toMatchObject({
      shareId: null,
      preview: true,
      storageOwnerId: 'o',
      maxDurationMs: null,
      watermark: { label: 'Preview · Olga Owner', density: 'normal', opacity: 0.12 },
      entitlements: [{ hostPath: '/srv/storage/o/files', sandboxPath: '/files', access: 'read' }],
      openPath: '/files/Reports/q3.pdf',
    });
    expect((await resolveLaunch(owner, undefined, deps(undefined), {}, EXPLORER)).openPath).toBeNull();
    expect((await resolveLaunch(owner, undefined, deps(undefined), { path: '' }, EXPLORER)).openPath).toBe('/files');
    // A path that is not there is not opened (nor launched).
    await expect(resolveLaunch(owner, undefined, deps(undefined), { path: 'Gone' }, EXPLORER)).rejects.toMatchObject({
      status: 404,
    });
    await expect(resolveLaunch(client, undefined, deps(undefined), {}, EXPLORER)).rejects.toMatchObject({
      status: 403,
    });
  });

  it('lets an owner preview a share exactly as its client gets it, the path opened inside its mount', async () => {
    const preview = await resolveLaunch(owner, undefined, deps(record()), { shareId: 's' }, EXPLORER);
    const asClient = await resolveLaunch(client, 's', deps(record()), undefined, EXPLORER);
    expect(preview.entitlements).toEqual(asClient.entitlements);
    expect(preview).toMatchObject({
      shareId: 's',
      preview: true,
      userId: 'o',
      maxDurationMs: 30 * 60_000,
      watermark: { label: 'Preview · O', density: 'dense', opacity: 0.2 },
      openPath: null,
    });
    const open = async (p: string) =>
      (await resolveLaunch(owner, undefined, deps(record()), { shareId: 's', path: p }, EXPLORER)).openPath;
    expect(await open('Work/Reports/q3.csv')).toBe('/files/Reports (2)/q3.csv');
    expect(await open('Reports')).toBe('/files/Reports');
    expect(await open('Reports/')).toBe('/files/Reports');
    expect(await open('a/b/contract.pdf')).toBe('/files/contract.pdf');
    await expect(open('Private/diary.txt')).rejects.toMatchObject({ status: 400 });
    await expect(open('ReportsX/a')).rejects.toMatchObject({ status: 400 });
    // No watermark on the share: none in its preview either.
    const plain = await resolveLaunch(owner, undefined, deps(record({ watermark: false })), { shareId: 's' }, EXPLORER);
    expect(plain.watermark).toBeNull();
  });

  it('previews only the owner’s own shares that are not revoked, and not beside a shareId', async () => {
    const preview = (actor: Actor, share: ShareRecord) =>
      resolveLaunch(actor, undefined, deps(share), { shareId: 's' }, EXPLORER);
    await expect(preview(client, record())).rejects.toMatchObject({ status: 403 });
    await expect(preview({ ...owner, id: 'x' }, record())).rejects.toMatchObject({ status: 404 });
    await expect(preview(owner, record({ revokedAt: new Date() }))).rejects.toMatchObject({ status: 403 });
    await expect(preview(owner, record({ expiresAt: new Date(Date.now() - 1) }))).resolves.toMatchObject({
      preview: true,
    });
    await expect(resolveLaunch(owner, 's', deps(record()), { shareId: 's' }, EXPLORER)).rejects.toMatchObject({
      status: 400,
    });
  });

  it('opens a share only in the apps it names, for its client and the owner’s preview alike', async () => {
    const gallery = record({ apps: ['gallery'] });
    const gallerySession = { appId: 'gallery' };
    // Refused before anything else is asked (terms, recording) or resolved.
    const guarded = record({ apps: ['gallery'], recording: true, terms: { text: 'Private.', version: 1 } });
    for (const share of [gallery, guarded]) {
      await expect(resolveLaunch(client, 's', deps(share), undefined, EXPLORER)).rejects.toMatchObject({
        status: 403,
        code: 'app-not-shared',
        about: { shareId: 's', ownerId: 'o', detail: { app: 'file-explorer' } },
      });
    }
    await expect(resolveLaunch(owner, undefined, deps(gallery), { shareId: 's' }, EXPLORER)).rejects.toMatchObject({
      status: 403,
      code: 'app-not-shared',
    });
    await expect(resolveLaunch(client, 's', deps(gallery), undefined, gallerySession)).resolves.toMatchObject({
      shareId: 's',
    });
    await expect(
      resolveLaunch(owner, undefined, deps(gallery), { shareId: 's' }, gallerySession),
    ).resolves.toMatchObject({ preview: true });
    // The owner's own storage is not a share: any app, as before.
    await expect(resolveLaunch(owner, undefined, deps(gallery), undefined, gallerySession)).resolves.toMatchObject({
      shareId: null,
    });
    await expect(resolveLaunch(owner, undefined, deps(gallery), {}, gallerySession)).resolves.toMatchObject({
      preview: true,
      shareId: null,
    });
  });

  it('names the whole storage, when shared, without revealing host paths', () => {
    expect(uniqueMount('', new Set())).toBe('/files/Shared files');
  });
});
