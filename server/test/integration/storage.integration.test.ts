import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  FileEntry,
  FolderListing,
  StorageUsage,
  TrashItem,
  UploadConflict,
  UploadedFile,
} from '@vitrine/protocol';
import { DomainError } from '../../src/errors.ts';
import type { Actor } from '../../src/policies/policies.ts';
import { OwnerStorage, ownerRoot } from '../../src/storage/owner-storage.ts';
import { registerStorageRoutes } from '../../src/storage/storage-routes.ts';
import { DEFAULT_SANDBOX_USER, sandboxUserFor } from '../../src/sandbox/sandbox-user.ts';
import type { RequestAudit } from '../../src/audit/request-audit.ts';

const KiB = 1024;
const MAX_UPLOAD = 256 * KiB;
const QUOTA = 640 * KiB;
const DAY = 86_400_000;

const ALICE = randomUUID();
const BOB = randomUUID();
const CAROL = randomUUID();
const CLIENT = randomUUID();
const DAVE = randomUUID();

let tmp: string;
let rootDir: string;
let outside: string;
let clock = Date.now();
let storage: OwnerStorage;
let app: FastifyInstance;
let base: string;

const filesOf = (owner: string) => ownerRoot(rootDir, owner);
const onDisk = (owner: string, rel: string) => path.join(filesOf(owner), rel);
const tmpOf = (owner: string) => path.join(rootDir, owner, 'tmp');

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-storage-'));
  rootDir = path.join(tmp, 'storage');
  outside = path.join(tmp, 'outside');
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, 'secret.txt'), 'outside secret');
  storage = new OwnerStorage({
    rootDir,
    maxUploadBytes: MAX_UPLOAD,
    quotaBytes: QUOTA,
    trashRetentionMs: 7 * DAY,
    now: () => clock,
  });
  app = Fastify({ bodyLimit: 64 * KiB, logger: false });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler((err: Error & { statusCode?: number }, _req, reply) => {
    if (err instanceof DomainError) return reply.status(err.status).send({ error: err.code, message: err.message });
    if (hasZodFastifySchemaValidationErrors(err)) return reply.status(400).send({ error: 'bad-request', message: '' });
    const status = err.statusCode && err.statusCode < 500 ? err.statusCode : 500;
    return reply.status(status).send({ error: status === 500 ? 'internal' : 'bad-request', message: err.message });
  });
  // A narrow stand-in for sign-in: the test says who is asking.
  app.addHook('onRequest', async (req) => {
    const id = req.headers['x-test-user'];
    if (typeof id !== 'string') return;
    const role = id === CLIENT ? 'client' : 'owner';
    req.actor = { id, role, admin: false, signInId: 'test' } satisfies Actor;
  });
  // The audit trail is tested on its own (audit.integration); routes here only add their notes.
  app.decorateRequest('audit', null as unknown as RequestAudit);
  app.addHook('onRequest', async (req) => {
    req.audit = { note: () => {} } as unknown as RequestAudit;
  });
  registerStorageRoutes(app, storage);
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
});

afterAll(async () => {
  await app?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

interface Res<T> {
  status: number;
  /** T on success, an ApiErrorBody otherwise. */
  body: T & { error?: string; message?: string };
  headers: http.IncomingHttpHeaders;
  raw: Buffer;
}

/** One request over a real socket. The body is sent in chunks; a response may come before it all went. */
function request<T = any>(
  user: string | null,
  method: string,
  url: string,
  options: { json?: unknown; chunks?: Buffer[]; headers?: Record<string, string | number> } = {},
): Promise<Res<T>> {
  const headers: Record<string, string | number> = { ...options.headers };
  if (user) headers['x-test-user'] = user;
  let chunks = options.chunks ?? [];
  if (options.json !== undefined) {
    chunks = [Buffer.from(JSON.stringify(options.json))];
    headers['content-type'] = 'application/json';
    headers['content-length'] = chunks[0]!.length;
  }
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = http.request(base + url, { method, headers }, (res) => {
      answered = true;
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(parts);
        const json = (res.headers['content-type'] ?? '').includes('json');
        resolve({ status: res.statusCode!, headers: res.headers, raw, body: json ? JSON.parse(raw.toString()) : raw });
      });
    });
    req.on('error', (err) => {
      if (!answered) reject(err);
    });
    for (const c of chunks) req.write(c);
    req.end();
  });
}

const put = (user: string, rel: string, data: Buffer | string, overwrite = false) => {
  const body = Buffer.from(data);
  return request<UploadedFile>(
    user,
    'PUT',
    `/api/files/content?path=${encodeURIComponent(rel)}&overwrite=${overwrite}`,
    {
      chunks: [body],
      headers: { 'content-type': 'application/octet-stream', 'content-length': body.length },
    },
  );
};
const putAs = (user: string, rel: string, data: Buffer | string, conflict: UploadConflict) => {
  const body = Buffer.from(data);
  return request<UploadedFile>(user, 'PUT', `/api/files/content?path=${encodeURIComponent(rel)}&conflict=${conflict}`, {
    chunks: [body],
    headers: { 'content-type': 'application/octet-stream', 'content-length': body.length },
  });
};
const list = (user: string, rel = '') =>
  request<FolderListing>(user, 'GET', `/api/files?path=${encodeURIComponent(rel)}`);
const download = (user: string, rel: string) =>
  request(user, 'GET', `/api/files/content?path=${encodeURIComponent(rel)}`);
const mkdir = (user: string, rel: string) =>
  request<FileEntry>(user, 'POST', '/api/files/folders', { json: { path: rel } });
const move = (user: string, from: string, to: string) =>
  request<FileEntry>(user, 'POST', '/api/files/move', { json: { from, to } });
const remove = (user: string, rel: string) =>
  request<TrashItem>(user, 'DELETE', `/api/files?path=${encodeURIComponent(rel)}`);
const usage = async (user: string) => (await request<StorageUsage>(user, 'GET', '/api/files/usage')).body;

async function waitFor(what: string, test: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('files and folders', () => {
  it('creates the owner root with mode 0700 on first use', async () => {
    expect((await list(ALICE)).body).toEqual({ path: '', entries: [] });
    for (const dir of [rootDir, path.join(rootDir, ALICE), filesOf(ALICE), tmpOf(ALICE)]) {
      expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    }
  });

  it('makes folders, uploads, lists and downloads', async () => {
    const folder = await mkdir(ALICE, 'Reports');
    expect(folder.status).toBe(201);
    expect(folder.body).toMatchObject({ name: 'Reports', path: 'Reports', kind: 'folder', size: 0 });
    expect((await mkdir(ALICE, 'Reports')).body.error).toBe('exists');
    expect((await mkdir(ALICE, 'Nope/Deeper')).status).toBe(404);

    const up = await put(ALICE, 'Reports/Résumé "q1".txt', 'hello world');
    expect(up.status).toBe(201);
    expect(up.body).toMatchObject({ name: 'Résumé "q1".txt', path: 'Reports/Résumé "q1".txt', kind: 'file', size: 11 });
    expect(fs.readFileSync(onDisk(ALICE, 'Reports/Résumé "q1".txt'), 'utf8')).toBe('hello world');
    expect(fs.statSync(onDisk(ALICE, 'Reports/Résumé "q1".txt')).mode & 0o777).toBe(0o600);

    const again = await put(ALICE, 'Reports/Résumé "q1".txt', 'second');
    expect([again.status, again.body.error]).toEqual([409, 'exists']);
    expect(fs.readFileSync(onDisk(ALICE, 'Reports/Résumé "q1".txt'), 'utf8')).toBe('hello world');
    const replaced = await put(ALICE, 'Reports/Résumé "q1".txt', 'second', true);
    expect(replaced.body).toMatchObject({ size: 6, replaced: { originalPath: 'Reports/Résumé "q1".txt', size: 11 } });
    expect(fs.readFileSync(onDisk(ALICE, 'Reports/Résumé "q1".txt'), 'utf8')).toBe('second');
    // The replaced version is in the trash (purged here to keep the usage figures below simple).
    expect((await request(ALICE, 'DELETE', `/api/trash/${replaced.body.replaced!.id}`)).status).toBe(204);
    expect((await put(ALICE, 'Reports', 'x', true)).body.error).toBe('exists');
    expect((await put(ALICE, 'Missing/a.txt', 'x')).status).toBe(404);
    expect((await put(ALICE, 'empty.bin', '')).body).toMatchObject({ kind: 'file', size: 0 });

    const root = (await list(ALICE)).body;
    expect(root.entries.map((e) => [e.name, e.kind])).toEqual([
      ['Reports', 'folder'],
      ['empty.bin', 'file'],
    ]);
    const reports = (await list(ALICE, 'Reports/')).body;
    expect(reports).toMatchObject({ path: 'Reports', entries: [{ name: 'Résumé "q1".txt', size: 6 }] });
    expect(Date.parse(reports.entries[0]!.modifiedAt)).toBeGreaterThan(Date.now() - 60_000);
    expect((await list(ALICE, 'Reports/Résumé "q1".txt')).body.error).toBe('not-a-folder');
    expect((await list(ALICE, 'Nope')).status).toBe(404);

    const got = await download(ALICE, 'Reports/Résumé "q1".txt');
    expect(got.status).toBe(200);
    expect(got.raw.toString()).toBe('second');
    expect(got.headers).toMatchObject({
      'content-type': 'application/octet-stream',
      'content-length': '6',
      'x-content-type-options': 'nosniff',
      'content-disposition': `attachment; filename="R_sum_ _q1_.txt"; filename*=UTF-8''R%C3%A9sum%C3%A9%20%22q1%22.txt`,
    });
    expect((await download(ALICE, 'empty.bin')).raw.length).toBe(0);
    expect((await download(ALICE, 'Reports')).body.error).toBe('not-a-file');
    expect((await download(ALICE, '')).body.error).toBe('not-a-file');
    expect((await download(ALICE, 'none.txt')).status).toBe(404);
    expect(await usage(ALICE)).toEqual({ usedBytes: 6, quotaBytes: QUOTA, maxUploadBytes: MAX_UPLOAD });
    expect(fs.readdirSync(tmpOf(ALICE))).toEqual([]);
  });

  it('refuses uploads that are not raw bytes', async () => {
    const json = await request(ALICE, 'PUT', '/api/files/content?path=j.txt', { json: { a: 1 } });
    expect(json.status).toBe(415);
    expect((await request(ALICE, 'PUT', '/api/files/content?path=j.txt')).status).toBe(415);
    expect(fs.existsSync(onDisk(ALICE, 'j.txt'))).toBe(false);
  });

  it('lists symlinks, special files and unusual names, never following or opening them', async () => {
    fs.mkdirSync(onDisk(ALICE, 'Odd'));
    fs.writeFileSync(onDisk(ALICE, 'Odd/plain.txt'), 'p');
    fs.symlinkSync('plain.txt', onDisk(ALICE, 'Odd/link.txt'));
    execFileSync('mkfifo', [onDisk(ALICE, 'Odd/pipe')]);
    fs.writeFileSync(onDisk(ALICE, 'Odd/new\nline'), 'n');
    fs.writeFileSync(Buffer.concat([Buffer.from(onDisk(ALICE, 'Odd/')), Buffer.from([0x66, 0xff])]), 'bad utf-8');
    // Each is there for the owner to see and remove (storage-hostile.integration covers them in depth).
    const entries = (await list(ALICE, 'Odd')).body.entries;
    expect(entries.map((e) => [e.name, e.kind, e.special ?? null, !!e.ref])).toEqual([
      ['f\\xFF', 'file', null, true],
      ['new\\u{000A}line', 'file', null, true],
      ['plain.txt', 'file', null, false],
      ['link.txt', 'special', 'link', false],
      ['pipe', 'special', 'fifo', false],
    ]);
    // A FIFO must be refused at once, not block the server waiting for a writer.
    expect((await download(ALICE, 'Odd/pipe')).body.error).toBe('bad-path');
    expect((await download(ALICE, 'Odd/link.txt')).body.error).toBe('bad-path');
    fs.rmSync(onDisk(ALICE, 'Odd'), { recursive: true });
  });

  it('moves and renames without ever replacing', async () => {
    await mkdir(ALICE, 'Move');
    await mkdir(ALICE, 'Move/Sub');
    await put(ALICE, 'Move/a.txt', 'A');
    await put(ALICE, 'Move/b.txt', 'B');
    expect((await move(ALICE, 'Move/a.txt', 'Move/c.txt')).body).toMatchObject({ path: 'Move/c.txt', size: 1 });
    expect(fs.existsSync(onDisk(ALICE, 'Move/a.txt'))).toBe(false);
    const taken = await move(ALICE, 'Move/c.txt', 'Move/b.txt');
    expect([taken.status, taken.body.error]).toEqual([409, 'exists']);
    expect(fs.readFileSync(onDisk(ALICE, 'Move/b.txt'), 'utf8')).toBe('B');
    expect(fs.readFileSync(onDisk(ALICE, 'Move/c.txt'), 'utf8')).toBe('A');
    expect((await move(ALICE, 'Move/c.txt', 'Move/Sub')).body.error).toBe('exists');
    expect((await move(ALICE, 'Move/c.txt', 'Move/Sub/c.txt')).body.kind).toBe('file');
    await mkdir(ALICE, 'Other');
    await mkdir(ALICE, 'Other/Sub');
    expect((await move(ALICE, 'Move/Sub', 'Other/Sub')).body.error).toBe('exists');
    expect((await move(ALICE, 'Move/Sub', 'Other/Sub2')).body).toMatchObject({ kind: 'folder', path: 'Other/Sub2' });
    expect(fs.readFileSync(onDisk(ALICE, 'Other/Sub2/c.txt'), 'utf8')).toBe('A');
    const intoItself = await move(ALICE, 'Other', 'Other/Sub2/Other');
    expect([intoItself.status, intoItself.body.error]).toEqual([400, 'bad-move']);
    expect((await move(ALICE, '', 'x')).status).toBe(400);
    expect((await move(ALICE, 'Move/b.txt', '')).status).toBe(400);
    expect((await move(ALICE, 'Move/none', 'Move/x')).status).toBe(404);
    expect((await move(ALICE, 'Move/b.txt', 'Nope/b.txt')).status).toBe(404);
    expect((await move(ALICE, 'Move/b.txt', 'Move/b.txt/')).body.path).toBe('Move/b.txt');
  });
});

describe('trash', () => {
  it('deletes to the trash, restores, recreates parents and refuses to overwrite', async () => {
    await mkdir(ALICE, 'T');
    await mkdir(ALICE, 'T/Deep');
    await put(ALICE, 'T/Deep/keep.txt', 'keep me');
    const usedBefore = (await usage(ALICE)).usedBytes;
    const gone = await remove(ALICE, 'T/Deep');
    expect(gone.status).toBe(200);
    expect(gone.body).toMatchObject({ originalPath: 'T/Deep', kind: 'folder', size: 7 });
    expect(Date.parse(gone.body.purgeAt) - Date.parse(gone.body.deletedAt)).toBe(7 * DAY);
    expect(fs.existsSync(onDisk(ALICE, 'T/Deep'))).toBe(false);
    // Trash still counts against the quota.
    expect((await usage(ALICE)).usedBytes).toBe(usedBefore);
    const trash = (await request<TrashItem[]>(ALICE, 'GET', '/api/trash')).body;
    expect(trash.map((t) => t.id)).toContain(gone.body.id);

    // Something new at the old path blocks the restore; the item stays in the trash.
    await mkdir(ALICE, 'T/Deep');
    const blocked = await request(ALICE, 'POST', `/api/trash/${gone.body.id}/restore`);
    expect([blocked.status, blocked.body.error]).toEqual([409, 'exists']);
    fs.rmSync(onDisk(ALICE, 'T'), { recursive: true });

    const back = await request<FileEntry>(ALICE, 'POST', `/api/trash/${gone.body.id}/restore`);
    expect(back.body).toMatchObject({ path: 'T/Deep', kind: 'folder' });
    expect(fs.readFileSync(onDisk(ALICE, 'T/Deep/keep.txt'), 'utf8')).toBe('keep me');
    expect(fs.statSync(onDisk(ALICE, 'T')).mode & 0o777).toBe(0o700);
    expect((await request(ALICE, 'POST', `/api/trash/${gone.body.id}/restore`)).status).toBe(404);

    const file = await remove(ALICE, 'T/Deep/keep.txt');
    expect(file.body).toMatchObject({ kind: 'file', size: 7 });
    await put(ALICE, 'T/Deep/keep.txt', 'other');
    expect((await request(ALICE, 'POST', `/api/trash/${file.body.id}/restore`)).body.error).toBe('exists');
    expect(fs.readFileSync(onDisk(ALICE, 'T/Deep/keep.txt'), 'utf8')).toBe('other');
    expect((await request(ALICE, 'DELETE', `/api/trash/${file.body.id}`)).status).toBe(204);
    expect(fs.existsSync(path.join(rootDir, ALICE, 'trash', file.body.id))).toBe(false);
    expect((await request(ALICE, 'DELETE', `/api/trash/${file.body.id}`)).status).toBe(404);
    expect((await remove(ALICE, '')).status).toBe(400);
    expect((await remove(ALICE, 'T/none')).status).toBe(404);
  });

  it('purges expired items only', async () => {
    await put(CAROL, 'old.txt', 'old');
    const old = (await remove(CAROL, 'old.txt')).body;
    clock += 3 * DAY;
    await put(CAROL, 'new.txt', 'new');
    const young = (await remove(CAROL, 'new.txt')).body;
    clock += 4 * DAY + 1;
    expect(await storage.purgeExpired()).toBe(1);
    const ids = (await request<TrashItem[]>(CAROL, 'GET', '/api/trash')).body.map((t) => t.id);
    expect(ids).toEqual([young.id]);
    expect(fs.readdirSync(path.join(rootDir, CAROL, 'trash'))).toEqual([young.id]);
    expect(old.id).not.toBe(young.id);
    clock += 7 * DAY;
    expect(await storage.purgeExpired()).toBe(1);
    expect(fs.readdirSync(path.join(rootDir, CAROL, 'trash'))).toEqual([]);
  });
});

describe('a name that is taken', () => {
  const trashOf = async (user: string) => (await request<TrashItem[]>(user, 'GET', '/api/trash')).body;

  it('replace puts the previous version in the trash as "replaced", restorable beside the new one', async () => {
    await mkdir(CAROL, 'Docs');
    await put(CAROL, 'Docs/plan.txt', 'version one');
    const up = await putAs(CAROL, 'Docs/plan.txt', 'version two!', 'replace');
    expect(up.status).toBe(201);
    expect(up.body).toMatchObject({ path: 'Docs/plan.txt', size: 12 });
    const old = up.body.replaced!;
    expect(old).toMatchObject({ originalPath: 'Docs/plan.txt', kind: 'file', size: 11, reason: 'replaced' });
    expect(fs.readFileSync(onDisk(CAROL, 'Docs/plan.txt'), 'utf8')).toBe('version two!');
    expect(fs.readFileSync(path.join(rootDir, CAROL, 'trash', old.id, 'item'), 'utf8')).toBe('version one');
    expect((await trashOf(CAROL)).find((t) => t.id === old.id)).toEqual(old);
    // Both versions count.
    expect((await usage(CAROL)).usedBytes).toBe(23);

    // Its path is taken by the new version: restore refuses, or keeps both.
    const blocked = await request(CAROL, 'POST', `/api/trash/${old.id}/restore`);
    expect([blocked.status, blocked.body.error]).toEqual([409, 'exists']);
    const back = await request<FileEntry>(CAROL, 'POST', `/api/trash/${old.id}/restore?conflict=keep-both`);
    expect(back.body).toMatchObject({ path: 'Docs/plan (2).txt', name: 'plan (2).txt', size: 11 });
    expect(fs.readFileSync(onDisk(CAROL, 'Docs/plan (2).txt'), 'utf8')).toBe('version one');
    expect(fs.readFileSync(onDisk(CAROL, 'Docs/plan.txt'), 'utf8')).toBe('version two!');
    expect((await trashOf(CAROL)).map((t) => t.id)).not.toContain(old.id);

    // Nothing there: a replace is a plain upload. A folder is never replaced.
    const fresh = await putAs(CAROL, 'Docs/new.txt', 'n', 'replace');
    expect(fresh.status).toBe(201);
    expect(fresh.body.replaced).toBeUndefined();
    const folder = await putAs(CAROL, 'Docs', 'x', 'replace');
    expect([folder.status, folder.body.error]).toEqual([409, 'exists']);
    expect(fs.statSync(onDisk(CAROL, 'Docs')).isDirectory()).toBe(true);
    // A deleted item is marked so.
    expect((await remove(CAROL, 'Docs/new.txt')).body.reason).toBe('deleted');
  });

  it('keep both stores the new file under the first free "name (n).ext"', async () => {
    await put(CAROL, 'photo.png', 'one');
    const second = await putAs(CAROL, 'photo.png', 'two', 'keep-both');
    expect(second.body).toMatchObject({ name: 'photo (2).png', path: 'photo (2).png', size: 3 });
    expect(second.body.replaced).toBeUndefined();
    const third = await putAs(CAROL, 'photo.png', 'three', 'keep-both');
    expect(third.body.path).toBe('photo (3).png');
    expect(fs.readFileSync(onDisk(CAROL, 'photo.png'), 'utf8')).toBe('one');
    expect(fs.readFileSync(onDisk(CAROL, 'photo (2).png'), 'utf8')).toBe('two');
    // A free name is used as it is; a folder's name is taken too.
    expect((await putAs(CAROL, 'free.png', 'f', 'keep-both')).body.path).toBe('free.png');
    await mkdir(CAROL, 'Album');
    expect((await putAs(CAROL, 'Album', 'a', 'keep-both')).body.path).toBe('Album (2)');
    // Many at once: each gets its own name, none is lost.
    const many = await Promise.all(Array.from({ length: 6 }, (_, i) => putAs(CAROL, 'race.txt', `r${i}`, 'keep-both')));
    expect(many.map((r) => r.status)).toEqual(Array(6).fill(201));
    const names = many.map((r) => r.body.name).sort();
    expect(new Set(names).size).toBe(6);
    const contents = names.map((n) => fs.readFileSync(onDisk(CAROL, n), 'utf8')).sort();
    expect(contents).toEqual(['r0', 'r1', 'r2', 'r3', 'r4', 'r5']);
  });

  it('many replaces at once keep every earlier version in the trash', async () => {
    await put(CAROL, 'busy.txt', 'v0');
    const ups = await Promise.all(
      Array.from({ length: 5 }, (_, i) => putAs(CAROL, 'busy.txt', `v${i + 1}`, 'replace')),
    );
    expect(ups.map((r) => r.status)).toEqual(Array(5).fill(201));
    const kept = ups.map((r) => r.body.replaced!.id);
    const inTrash = kept.map((id) => fs.readFileSync(path.join(rootDir, CAROL, 'trash', id, 'item'), 'utf8'));
    const current = fs.readFileSync(onDisk(CAROL, 'busy.txt'), 'utf8');
    // Six versions, one on show and five in the trash, each exactly once.
    expect([...inTrash, current].sort()).toEqual(['v0', 'v1', 'v2', 'v3', 'v4', 'v5']);
  });
});

describe('previews', () => {
  it('serves a file inline with its type, framable only by this site and sandboxed', async () => {
    await put(ALICE, 'shot.png', 'not really a png');
    const got = await request(ALICE, 'GET', '/api/files/content?path=shot.png&disposition=inline');
    expect(got.status).toBe(200);
    expect(got.headers).toMatchObject({
      'content-type': 'image/png',
      'content-disposition': `inline; filename="shot.png"; filename*=UTF-8''shot.png`,
      'content-security-policy': "default-src 'none'; frame-ancestors 'self'; sandbox",
      'x-content-type-options': 'nosniff',
    });
    await put(ALICE, 'page.html', '<script>alert(1)</script>');
    const html = await request(ALICE, 'GET', '/api/files/content?path=page.html&disposition=inline');
    expect(html.headers['content-type']).toBe('text/plain; charset=utf-8');
    // A download stays an attachment of bytes.
    const plain = await request(ALICE, 'GET', '/api/files/content?path=shot.png');
    expect(plain.headers['content-type']).toBe('application/octet-stream');
    expect(plain.headers['content-security-policy']).toBeUndefined();
    expect((await request(ALICE, 'GET', '/api/files/content?path=shot.png&disposition=evil')).status).toBe(400);
  });
});

describe('paths that try to leave the root', () => {
  beforeAll(() => {
    fs.symlinkSync(outside, onDisk(ALICE, 'escape'));
    fs.symlinkSync(path.join(outside, 'secret.txt'), onDisk(ALICE, 'secret-link'));
    fs.symlinkSync('../../..', onDisk(ALICE, 'relative-escape'));
  });
  const outsideUntouched = () => {
    expect(fs.readdirSync(outside)).toEqual(['secret.txt']);
    expect(fs.readFileSync(path.join(outside, 'secret.txt'), 'utf8')).toBe('outside secret');
  };

  it('refuses traversal and bad names', async () => {
    for (const bad of ['../' + BOB + '/files', '..', '/etc', 'a/../..', 'a//b', 'x\u0000y', '%2e%2e']) {
      const res = await request(ALICE, 'GET', `/api/files?path=${encodeURIComponent(decodeURIComponent(bad))}`);
      expect([bad, res.status, res.body.error]).toEqual([bad, 400, 'bad-path']);
    }
    expect((await put(ALICE, '../evil.txt', 'x')).body.error).toBe('bad-path');
    expect((await mkdir(ALICE, 'bad\nname')).body.error).toBe('bad-path');
    expect((await move(ALICE, 'empty.bin', '../../empty.bin')).body.error).toBe('bad-path');
    expect(fs.existsSync(path.join(rootDir, ALICE, 'evil.txt'))).toBe(false);
  });

  it('never follows a symlink, for any operation', async () => {
    const attempts: [string, Promise<Res<any>>][] = [
      ['list', list(ALICE, 'escape')],
      ['list relative', list(ALICE, 'relative-escape/tmp')],
      ['read through', download(ALICE, 'escape/secret.txt')],
      ['read link', download(ALICE, 'secret-link')],
      ['write through', put(ALICE, 'escape/new.txt', 'x')],
      ['overwrite link', put(ALICE, 'secret-link', 'pwned', true)],
      ['write link', put(ALICE, 'secret-link', 'pwned')],
      ['mkdir through', mkdir(ALICE, 'escape/sub')],
      ['move out of', move(ALICE, 'escape/secret.txt', 'stolen.txt')],
      ['move into', move(ALICE, 'empty.bin', 'escape/empty.bin')],
      ['move link', move(ALICE, 'secret-link', 'renamed-link')],
      ['delete through', remove(ALICE, 'escape/secret.txt')],
    ];
    for (const [what, attempt] of attempts) {
      const res = await attempt;
      expect([what, res.status, res.body.error]).toEqual([what, 400, 'bad-path']);
    }
    outsideUntouched();
    expect(fs.existsSync(onDisk(ALICE, 'stolen.txt'))).toBe(false);
    expect(fs.existsSync(onDisk(ALICE, 'empty.bin'))).toBe(true);
    expect(fs.lstatSync(onDisk(ALICE, 'secret-link')).isSymbolicLink()).toBe(true);
    await expect(storage.resolveExisting(ALICE, 'escape')).rejects.toMatchObject({ code: 'bad-path' });
    await expect(storage.resolveExisting(ALICE, 'escape/secret.txt')).rejects.toMatchObject({ code: 'bad-path' });

    // Deleting a link moves the link itself to the trash; where it points is untouched.
    fs.symlinkSync(outside, onDisk(ALICE, 'escape-too'));
    const gone = await remove(ALICE, 'escape-too');
    expect([gone.status, gone.body.kind]).toEqual([200, 'special']);
    expect(fs.lstatSync(path.join(rootDir, ALICE, 'trash', gone.body.id, 'item')).isSymbolicLink()).toBe(true);
    expect((await request(ALICE, 'DELETE', `/api/trash/${gone.body.id}`)).status).toBe(204);
    outsideUntouched();
  });

  it('does not count bytes behind a symlink as used', async () => {
    fs.writeFileSync(path.join(outside, 'secret.txt'), 'x'.repeat(QUOTA));
    try {
      expect((await usage(ALICE)).usedBytes).toBeLessThan(QUOTA);
    } finally {
      fs.writeFileSync(path.join(outside, 'secret.txt'), 'outside secret');
    }
  });
});

describe('uploads', () => {
  /** Starts a chunked or sized upload, sends `first`, and returns a way to cut it off. */
  function startUpload(rel: string, first: Buffer, contentLength?: number) {
    const headers: Record<string, string | number> = { 'content-type': 'application/octet-stream', 'x-test-user': BOB };
    if (contentLength !== undefined) headers['content-length'] = contentLength;
    const req = http.request(`${base}/api/files/content?path=${encodeURIComponent(rel)}`, { method: 'PUT', headers });
    req.on('error', () => {});
    req.write(first);
    return req;
  }

  it.each([
    ['with a Content-Length', 200 * KiB],
    ['chunked', undefined],
  ])('a client that goes away mid-upload (%s) leaves no file and no temporary file', async (_how, length) => {
    const rel = `aborted-${length ?? 'chunked'}.bin`;
    await list(BOB);
    const req = startUpload(rel, Buffer.alloc(64 * KiB, 1), length);
    await waitFor('the temporary file', () => fs.readdirSync(tmpOf(BOB)).length === 1);
    await waitFor('bytes on disk', () => fs.statSync(path.join(tmpOf(BOB), fs.readdirSync(tmpOf(BOB))[0]!)).size > 0);
    req.destroy();
    await waitFor('the temporary file to go', () => fs.readdirSync(tmpOf(BOB)).length === 0);
    expect(fs.existsSync(onDisk(BOB, rel))).toBe(false);
    expect((await usage(BOB)).usedBytes).toBe(0);
  });

  it('refuses a file over the size limit, declared or streamed', async () => {
    // Far more than socket buffers hold: the answer must still arrive, and the connection close.
    const big = Array.from({ length: 128 }, () => Buffer.alloc(64 * KiB));
    const declared = await request(BOB, 'PUT', '/api/files/content?path=big.bin', {
      chunks: big,
      headers: { 'content-type': 'application/octet-stream', 'content-length': 128 * 64 * KiB },
    });
    expect([declared.status, declared.body.error, declared.headers.connection]).toEqual([
      413,
      'file-too-large',
      'close',
    ]);
    const streamed = await request(BOB, 'PUT', '/api/files/content?path=big.bin', {
      chunks: big,
      headers: { 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' },
    });
    expect([streamed.status, streamed.body.error, streamed.headers.connection]).toEqual([
      413,
      'file-too-large',
      'close',
    ]);
    expect(streamed.body.message).toContain('256 KiB');
    expect(fs.existsSync(onDisk(BOB, 'big.bin'))).toBe(false);
    expect(fs.readdirSync(tmpOf(BOB))).toEqual([]);
    expect((await put(BOB, 'exact.bin', Buffer.alloc(MAX_UPLOAD))).status).toBe(201);
  });

  it('refuses what would exceed the quota, counting the trash and what a replace keeps there', async () => {
    await put(BOB, 'two.bin', Buffer.alloc(MAX_UPLOAD));
    await remove(BOB, 'two.bin');
    expect((await usage(BOB)).usedBytes).toBe(2 * MAX_UPLOAD);
    const room = QUOTA - 2 * MAX_UPLOAD;
    const over = await put(BOB, 'over.bin', Buffer.alloc(room + 1));
    expect([over.status, over.body.error]).toEqual([413, 'quota-exceeded']);
    const streamed = await request(BOB, 'PUT', '/api/files/content?path=over.bin', {
      chunks: [Buffer.alloc(room), Buffer.alloc(1)],
      headers: { 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' },
    });
    expect([streamed.status, streamed.body.error]).toEqual([413, 'quota-exceeded']);
    expect(fs.existsSync(onDisk(BOB, 'over.bin'))).toBe(false);
    expect(fs.readdirSync(tmpOf(BOB))).toEqual([]);
    expect((await put(BOB, 'fits.bin', Buffer.alloc(room))).status).toBe(201);
    // The version a replace puts in the trash still counts: the new one needs room of its own.
    const replace = await put(BOB, 'fits.bin', Buffer.alloc(1), true);
    expect([replace.status, replace.body.error]).toEqual([413, 'quota-exceeded']);
    expect(fs.statSync(onDisk(BOB, 'fits.bin')).size).toBe(room);
    expect((await usage(BOB)).usedBytes).toBe(QUOTA);
  });

  it('removes stale temporary files left by a crash', async () => {
    const stale = path.join(tmpOf(BOB), randomUUID());
    fs.writeFileSync(stale, 'half');
    clock += 2 * DAY;
    await storage.purgeExpired();
    expect(fs.existsSync(stale)).toBe(false);
  });
});

describe('who may reach what', () => {
  const routes: [string, string, unknown?][] = [
    ['GET', '/api/files?path='],
    ['GET', '/api/files/usage'],
    ['PUT', '/api/files/content?path=x.txt'],
    ['GET', '/api/files/content?path=empty.bin'],
    ['POST', '/api/files/folders', { path: 'c' }],
    ['POST', '/api/files/move', { from: 'empty.bin', to: 'moved.bin' }],
    ['DELETE', '/api/files?path=empty.bin'],
    ['GET', '/api/trash'],
    ['POST', `/api/trash/${randomUUID()}/restore`],
    ['DELETE', `/api/trash/${randomUUID()}`],
  ];

  it.each(routes)('a client gets 403 and anonymous 401 on %s %s', async (method, url, json) => {
    const upload =
      method === 'PUT' ? { chunks: [Buffer.from('x')], headers: { 'content-type': 'application/octet-stream' } } : {};
    const asClient = await request(CLIENT, method, url, { json, ...upload });
    expect([asClient.status, asClient.body.error]).toEqual([403, 'forbidden']);
    expect((await request(null, method, url, { json, ...upload })).status).toBe(401);
    expect(fs.existsSync(path.join(rootDir, CLIENT))).toBe(false);
    expect(fs.existsSync(onDisk(ALICE, 'x.txt')) || fs.existsSync(onDisk(ALICE, 'c'))).toBe(false);
  });

  it("owners cannot reach each other's files or trash", async () => {
    await put(ALICE, 'mine.txt', 'alice only');
    const trashed = (await remove(ALICE, 'mine.txt')).body;
    await put(ALICE, 'mine.txt', 'alice only');
    expect((await list(BOB)).body.entries.map((e) => e.name)).not.toContain('mine.txt');
    expect((await download(BOB, 'mine.txt')).status).toBe(404);
    expect((await remove(BOB, 'mine.txt')).status).toBe(404);
    expect((await request(BOB, 'POST', `/api/trash/${trashed.id}/restore`)).status).toBe(404);
    expect((await request(BOB, 'DELETE', `/api/trash/${trashed.id}`)).status).toBe(404);
    expect((await request<TrashItem[]>(BOB, 'GET', '/api/trash')).body.map((t) => t.id)).not.toContain(trashed.id);
    expect(fs.readFileSync(onDisk(ALICE, 'mine.txt'), 'utf8')).toBe('alice only');
    expect(fs.existsSync(path.join(rootDir, ALICE, 'trash', trashed.id, 'item'))).toBe(true);
  });

  it('resolves existing paths on the host for the share code', async () => {
    expect(await storage.resolveExisting(ALICE, 'mine.txt')).toEqual({
      hostPath: onDisk(ALICE, 'mine.txt'),
      kind: 'file',
    });
    expect(await storage.resolveExisting(ALICE, '')).toEqual({ hostPath: filesOf(ALICE), kind: 'folder' });
    await expect(storage.resolveExisting(ALICE, 'nope')).rejects.toMatchObject({ status: 404, code: 'not-found' });
    expect(storage.ensureRoot(randomUUID())).toMatch(/\/files$/);
    expect(() => ownerRoot(rootDir, '../etc')).toThrow(/invalid owner id/);
  });
});

describe('who owns what the server makes (issue 16: sessions run as the sandbox user)', () => {
  it('folders, uploads, recreated parents and restored copies are the sandbox user’s, never root’s', async () => {
    const user = sandboxUserFor(0, DEFAULT_SANDBOX_USER, { info: () => {} });
    const owned = new OwnerStorage({
      rootDir: path.join(tmp, 'owned'),
      maxUploadBytes: MAX_UPLOAD,
      quotaBytes: QUOTA,
      trashRetentionMs: DAY,
      fileOwner: user,
    });
    const files = ownerRoot(path.join(tmp, 'owned'), DAVE);
    await owned.createFolder(DAVE, 'Shared');
    await owned.upload(DAVE, 'Shared/a.txt', Readable.from([Buffer.from('a')]), { conflict: 'fail' });
    await owned.upload(DAVE, 'Shared/a.txt', Readable.from([Buffer.from('b')]), { conflict: 'keep-both' });
    // An app's hard link makes the trash keep a copy; the copy comes back as the user's too.
    fs.linkSync(path.join(files, 'Shared/a.txt'), path.join(files, 'Shared/link.txt'));
    const trashed = await owned.delete(DAVE, 'Shared/a.txt');
    const folder = await owned.delete(DAVE, 'Shared');
    await owned.restore(DAVE, trashed.id); // recreates Shared/
    for (const rel of ['Shared', 'Shared/a.txt']) {
      const st = fs.lstatSync(path.join(files, rel));
      expect([st.uid, st.gid], rel).toEqual([user.uid, user.gid]);
    }
    await owned.purge(DAVE, folder.id);
    await owned.upload(DAVE, 'Shared/a (2).txt', Readable.from([Buffer.from('c')]), { conflict: 'keep-both' });
    for (const name of fs.readdirSync(path.join(files, 'Shared'))) {
      expect(fs.lstatSync(path.join(files, 'Shared', name)).uid, name).toBe(user.uid);
    }
  });
});
