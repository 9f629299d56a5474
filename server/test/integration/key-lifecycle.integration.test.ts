import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InvitationLink, SessionInfo } from '@vitrine/protocol';
import { call, register, type TestUser } from '../auth-client.ts';
import { startTestServer, waitFor, type TestServer } from '../helpers.ts';
import { scanRaw } from '../raw-scan.ts';
import { ownerKeyName } from '../../src/encryption/at-rest.ts';
import { addKey, keyStatus, policyOf } from '../../src/encryption/fscrypt.ts';
import { KeyFolder } from '../../src/encryption/key-folder.ts';
import { masterKeyOf, unwrapKey } from '../../src/encryption/key-wrap.ts';
import { rotateOwnerKey, type RotationProgress } from '../../src/encryption/owner-rotation.ts';
import { readSecretFile } from '../../src/encryption/secret-file.ts';
import { isMountPoint } from '../../src/encryption/volume.ts';

/**
 * Issue 18's key lifecycle on a running server: the master key replaced without touching data,
 * an owner's key replaced by re-encrypting their files (waiting for their session, resumable
 * after a cut, finished after a crash mid-swap), and an owner deleted: their key destroyed, so
 * that a copy of the disk from before, with the master key, opens everyone's files but theirs.
 */
const upload = (user: TestUser, p: string, body: string) =>
  fetch(`${user.url}/api/files/content?path=${encodeURIComponent(p)}`, {
    method: 'PUT',
    headers: { cookie: user.cookie, 'content-type': 'application/octet-stream' },
    body,
  });
const read = async (user: TestUser, p: string) => {
  const res = await fetch(`${user.url}/api/files/content?path=${encodeURIComponent(p)}`, {
    headers: { cookie: user.cookie },
  });
  return res.status === 200 ? res.text() : `HTTP ${res.status}`;
};

describe('keys of a running server', () => {
  let server: TestServer;
  let olive: TestUser;
  let otto: TestUser;
  let work: string;
  const keys = () => new KeyFolder(path.join(server.config.encryption.dataDir, 'keys'));
  const liveDir = (who: TestUser) => path.join(server.config.storage.dir, who.me.id);

  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-keys-'));
    server = await startTestServer();
    olive = server.owner;
    const invite = await call<InvitationLink>(olive, 'POST', '/api/admin/invitations', { email: 'otto@example.test' });
    otto = await register(server.url, server.publicUrl(), invite.body.link, { displayName: 'Otto' });
    for (const [who, name] of [
      [olive, 'olive'],
      [otto, 'otto'],
    ] as const) {
      expect((await upload(who, `${name}.txt`, `${name}'s contract`)).status).toBe(201);
    }
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    if (!work) return;
    const snapshot = path.join(work, 'snapshot');
    if (fs.existsSync(snapshot) && isMountPoint(snapshot)) execFileSync('umount', [snapshot]);
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('replaces the master key by re-wrapping the keys; everything still opens, also after a restart', async () => {
    const before = fs.readFileSync(server.config.encryption.masterKeyFile);
    const rotated = await server.operator.rotateMasterKey();
    expect(rotated.from).not.toBe(rotated.to);
    expect(fs.readFileSync(server.config.encryption.masterKeyFile).equals(before)).toBe(false);
    const folder = keys();
    expect(folder.names().sort()).toEqual(['system', ownerKeyName(olive.me.id), ownerKeyName(otto.me.id)].sort());
    for (const name of folder.names()) expect(folder.read(name)!.masterKeyId).toBe(rotated.to);
    server = await server.restart();
    expect(await read(olive, 'olive.txt')).toBe("olive's contract");
  });

  it("replaces an owner's key: their files re-encrypted, after their session ends", async () => {
    const oldPolicy = await policyOf(liveDir(olive));
    const launched = await call<SessionInfo>(olive, 'POST', '/api/sessions', { appId: 'diagnostics' });
    expect(launched.status).toBe(201);
    const seen: RotationProgress[] = [];
    const rotation = server.operator.rotateOwnerKey('olive@example.test', (p) => seen.push(p));
    await waitFor('the rotation waiting for the session', () => seen.some((p) => p.phase === 'waiting'));
    // Held: no new session starts on her files meanwhile.
    expect((await call(olive, 'POST', '/api/sessions', { appId: 'diagnostics' })).status).toBe(503);
    expect((await call(olive, 'DELETE', `/api/sessions/${launched.body.id}`)).status).toBe(204);
    const { from, to, resumed } = await rotation;
    expect(resumed).toBe(false);
    expect(from).toBe(oldPolicy);
    expect(await policyOf(liveDir(olive))).toBe(to);
    expect(await keyStatus(server.atRest!.volume.root, from)).toBe('absent');
    expect(seen.map((p) => p.phase)).toEqual(expect.arrayContaining(['copying', 'waiting', 'switching', 'done']));
    expect(await read(olive, 'olive.txt')).toBe("olive's contract");
    expect((await upload(olive, 'after.txt', 'written after')).status).toBe(201);
  });

  it('resumes a rotation that was cut, and finishes one cut in the middle of its swap at the next start', async () => {
    const cut = () =>
      rotateOwnerKey({ atRest: server.atRest!, hold: () => Promise.reject(new Error('cut')) }, olive.me.id);
    await expect(cut()).rejects.toThrow('cut');
    expect(keys().read(`${ownerKeyName(olive.me.id)}.next`)).not.toBeNull();
    const resumed = await server.operator.rotateOwnerKey('olive@example.test');
    expect(resumed.resumed).toBe(true);
    expect(await read(olive, 'after.txt')).toBe('written after');

    // Cut again, then "crashed" after the first rename of the swap: the next start finishes it.
    await expect(cut()).rejects.toThrow('cut');
    const next = server.atRest!.rotationDirs(olive.me.id)[0]!;
    server = await server.restart({
      between: async () => {
        // The volume is unmounted now: the crash is staged through a mount of its own.
        fs.mkdirSync(path.join(work, 'staging'));
        execFileSync('mount', ['-o', 'loop', server.atRest!.volume.image!, path.join(work, 'staging')]);
        const inStaging = (p: string) => path.join(work, 'staging', path.relative(server.atRest!.volume.root, p));
        fs.renameSync(inStaging(next.live), inStaging(next.retired));
        execFileSync('umount', [path.join(work, 'staging')]);
      },
    });
    expect(keys().read(`${ownerKeyName(olive.me.id)}.next`)).toBeNull();
    expect(fs.existsSync(next.retired)).toBe(false);
    expect(await read(olive, 'olive.txt')).toBe("olive's contract");
    expect(await read(olive, 'after.txt')).toBe('written after');
  });

  it("deletes an owner: their key is destroyed, so a copy of the disk from before opens everyone's files but theirs", async () => {
    const snapshot = path.join(work, 'before.img');
    const ottoKey = keys().read(ownerKeyName(otto.me.id))!;
    server = await server.restart({
      between: async () => void execFileSync('cp', ['--sparse=always', server.atRest!.volume.image!, snapshot]),
    });
    const removed = await server.operator.deleteOwner('otto@example.test');
    expect(removed).toMatchObject({ ownerId: otto.me.id, keysDestroyed: 1 });
    expect(keys().read(ownerKeyName(otto.me.id))).toBeNull();
    expect(fs.existsSync(liveDir(otto))).toBe(false);
    execFileSync('sync');
    // The wrapped key is gone from the disk too (overwritten before removal), not just unlinked.
    expect(scanRaw(server.config.encryption.dataDir, { 'wrapped key': Buffer.from(ottoKey.data, 'base64') })).toEqual(
      [],
    );

    // The thief: the old disk, the master key, every key it still unwraps.
    const master = masterKeyOf(readSecretFile(server.config.encryption.masterKeyFile, 'MASTER_KEY_FILE'));
    const mounted = path.join(work, 'snapshot');
    fs.mkdirSync(mounted);
    execFileSync('mount', ['-o', 'loop,ro', snapshot, mounted]);
    const identifiers = new Set<string>();
    for (const name of keys().names()) identifiers.add(await addKey(mounted, unwrapKey(master, keys().read(name)!)));
    const oliveOld = path.join(mounted, 'storage', olive.me.id, 'files', 'olive.txt');
    expect(fs.readFileSync(oliveOld, 'utf8')).toBe("olive's contract");
    const ottoOld = path.join(mounted, 'storage', otto.me.id);
    expect(identifiers.has((await policyOf(ottoOld)) as string)).toBe(false);
    // Their names show only as the kernel's encoding of the ciphertext; no content opens.
    const ottoFiles = (fs.readdirSync(ottoOld, { recursive: true }) as string[])
      .map((n) => path.join(ottoOld, n))
      .filter((p) => fs.lstatSync(p).isFile());
    expect(ottoFiles.length).toBeGreaterThan(0);
    for (const f of ottoFiles) {
      expect(f).not.toContain('otto.txt');
      expect(() => fs.readFileSync(f)).toThrow();
    }
    execFileSync('umount', [mounted]);

    const trail = await call<{ events: Array<{ action: string; detail: Record<string, unknown> }> }>(
      olive,
      'GET',
      '/api/audit?action=account.delete&scope=server',
    );
    expect(trail.body.events[0]?.detail).toMatchObject({
      email: 'otto@example.test',
      keysDestroyed: 1,
      cryptoShredded: true,
    });
  });
});
