import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FileEntry, FolderListing, StorageUsage, TrashItem, UploadedFile } from '@vitrine/protocol';
import { call, type TestUser } from '../auth-client.ts';
import { startTestServer, type TestServer } from '../helpers.ts';
import { ownerRoot } from '../../src/storage/owner-storage.ts';
import { DIR_FLAGS } from '../../src/storage/paths.ts';
import { removeTree } from '../../src/storage/tree.ts';

/**
 * What an app with a writable grant can leave in the owner's storage (issue 16, items 6–8): a
 * folder 25,000 levels deep, names that are not UTF-8 or that deceive, FIFOs and sockets, hard
 * links into what the owner trashes. The app is played here by writing on disk directly, as its
 * bind mount would; everything else goes through the real server's HTTP routes.
 */

const KiB = 1024;

let server: TestServer;
let owner: TestUser;
let root: string;
let trash: string;

const onDisk = (...names: (string | Buffer)[]) =>
  Buffer.concat([Buffer.from(root), ...names.flatMap((n) => [Buffer.from('/'), Buffer.from(n)])]);
const upload = async (rel: string, body: string | Buffer, conflict = 'fail') => {
  const res = await fetch(`${server.url}/api/files/content?path=${encodeURIComponent(rel)}&conflict=${conflict}`, {
    method: 'PUT',
    headers: { cookie: owner.cookie, 'content-type': 'application/octet-stream' },
    body,
  });
  return { status: res.status, body: (await res.json()) as UploadedFile & { error?: string } };
};
const usage = async () => (await call<StorageUsage>(owner, 'GET', '/api/files/usage')).body;
const list = (query: string) => call<FolderListing & { error?: string }>(owner, 'GET', `/api/files?${query}`);
/** An entry's address as the web client sends it: its ref when it has one. */
const at = (e: Pick<FileEntry, 'path' | 'ref'>) =>
  e.ref ? `ref=${encodeURIComponent(e.ref)}` : `path=${encodeURIComponent(e.path)}`;
const trashOf = async () => (await call<TrashItem[]>(owner, 'GET', '/api/trash')).body;
const purgeAll = async () => {
  for (const item of await trashOf()) expect((await call(owner, 'DELETE', `/api/trash/${item.id}`)).status).toBe(204);
};

/** `levels` folders "d", each in the one before, below `top`: made through descriptors, as deep as an app likes. */
function nest(top: string, levels: number, bottom: [string, number]): void {
  fs.mkdirSync(top);
  let fd = fs.openSync(top, DIR_FLAGS);
  for (let i = 0; i < levels; i++) {
    fs.mkdirSync(`/proc/self/fd/${fd}/d`);
    const next = fs.openSync(`/proc/self/fd/${fd}/d`, DIR_FLAGS);
    fs.closeSync(fd);
    fd = next;
  }
  fs.writeFileSync(`/proc/self/fd/${fd}/${bottom[0]}`, Buffer.alloc(bottom[1], 7));
  fs.closeSync(fd);
}

/** A socket file left behind (Node removes its own on close: this one is renamed away first). */
async function leaveSocket(where: string): Promise<void> {
  const listening = path.join(path.dirname(where), '.listening');
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(listening, resolve));
  fs.renameSync(listening, where);
  await new Promise<void>((resolve) => srv.close(() => resolve()));
}

beforeAll(async () => {
  server = await startTestServer({ OWNER_QUOTA: '1M', MAX_UPLOAD_SIZE: '1M' });
  owner = server.owner;
  root = ownerRoot(server.config.storage.dir, owner.me.id);
  trash = path.join(path.dirname(root), 'trash');
  expect((await list('path=')).status).toBe(200);
}, 180_000);

afterAll(async () => {
  try {
    // What a failed test left may be deeper than fs.rm (in close) can remove.
    if (root) await removeTree(path.dirname(root));
  } finally {
    await server?.close();
  }
}, 600_000);

describe('a folder an app nested 25,000 levels deep (item 6)', () => {
  // Gone if the test passed; if not, the tests after it must not meet it.
  afterAll(() => removeTree(path.join(root, 'deep')), 600_000);

  it('breaks neither usage, nor uploads, nor deleting it, and holds few descriptors', async () => {
    nest(path.join(root, 'deep'), 25_000, ['bottom.bin', 1000]);
    const fds = () => fs.readdirSync('/proc/self/fd').length;
    const before = fds();

    const used = await call<StorageUsage>(owner, 'GET', '/api/files/usage');
    expect(used.status).toBe(200);
    // The walk reached the bottom: its 1,000 bytes count.
    expect(used.body).toMatchObject({ usedBytes: 1000 });
    expect(used.body.uncountedFolders).toBeUndefined();

    // Each upload walks the whole storage for the quota.
    const up = await upload('after-deep.txt', 'still works');
    expect(up.status).toBe(201);
    expect((await list('path=deep')).body.entries.map((e) => e.name)).toEqual(['d']);
    // The product addresses 256 levels; deeper is a clear refusal, never a 500.
    const tooDeep = await list(`path=${encodeURIComponent(['deep', ...Array<string>(300).fill('d')].join('/'))}`);
    expect([tooDeep.status, tooDeep.body.error]).toEqual([400, 'bad-path']);

    const gone = await call<TrashItem>(owner, 'DELETE', '/api/files?path=deep');
    expect(gone.status).toBe(200);
    expect(gone.body).toMatchObject({ originalPath: 'deep', kind: 'folder', size: 1000 });
    expect(fs.existsSync(path.join(root, 'deep'))).toBe(false);
    // In the trash it still counts, as its recorded size.
    expect((await usage()).usedBytes).toBe(1011);
    expect((await call(owner, 'DELETE', `/api/trash/${gone.body.id}`)).status).toBe(204);
    expect(fs.existsSync(path.join(trash, gone.body.id))).toBe(false);
    expect((await usage()).usedBytes).toBe(11);
    // Nothing was left open (one descriptor per level would have been 25,000).
    expect(fds()).toBeLessThan(before + 50);
    expect((await call(owner, 'DELETE', '/api/files?path=after-deep.txt')).status).toBe(200);
    await purgeAll();
  }, 600_000);
});

describe('names and entries the product would never make (item 7)', () => {
  const HIDDEN = Buffer.from([0x72, 0x65, 0x70, 0x6f, 0x72, 0x74, 0xff, 0x2e, 0x70, 0x64, 0x66]); // "report\xFF.pdf"
  const ODD_FOLDER = Buffer.from([0x62, 0x61, 0x64, 0xfe, 0x0a]); // "bad\xFE\n"

  it('lists every entry, shows odd names escaped and marked, and removes each one, freeing the quota', async () => {
    fs.mkdirSync(path.join(root, 'Odd'));
    fs.writeFileSync(onDisk('Odd', HIDDEN), Buffer.alloc(900 * KiB, 1));
    fs.writeFileSync(onDisk('Odd', 'new\nline.txt'), 'nl');
    fs.writeFileSync(onDisk('Odd', 'invoice-2027\u202efdp.exe'), 'MZ');
    fs.writeFileSync(onDisk('Odd', 'pay\u200bpal.pdf'), 'zw');
    fs.writeFileSync(onDisk('Odd', '   '), 'blank');
    fs.mkdirSync(onDisk('Odd', ODD_FOLDER));
    fs.writeFileSync(onDisk('Odd', ODD_FOLDER, 'inner.txt'), 'inside');
    execFileSync('mkfifo', [path.join(root, 'Odd', 'pipe')]);
    await leaveSocket(path.join(root, 'Odd', 'socket'));
    fs.symlinkSync('/etc/passwd', path.join(root, 'Odd', 'link'));

    // The hidden 900 KiB count against the quota: an upload does not fit.
    const blocked = await upload('photo.jpg', Buffer.alloc(200 * KiB));
    expect([blocked.status, blocked.body.error]).toEqual([413, 'quota-exceeded']);

    const listing = await list('path=Odd');
    expect(listing.status).toBe(200);
    const shown = listing.body.entries.map((e) => [e.name, e.kind, e.special ?? null, e.nameIssues ?? null, !!e.ref]);
    expect(shown).toEqual([
      ['bad\\xFE\\u{000A}', 'folder', null, ['not-utf8', 'control'], true],
      ['\\u{0020}\\u{0020}\\u{0020}', 'file', null, ['invisible'], true],
      ['invoice-2027\\u{202E}fdp.exe', 'file', null, ['bidi'], true],
      ['new\\u{000A}line.txt', 'file', null, ['control'], true],
      ['pay\\u{200B}pal.pdf', 'file', null, ['invisible'], true],
      ['report\\xFF.pdf', 'file', null, ['not-utf8'], true],
      ['link', 'special', 'link', null, false],
      ['pipe', 'special', 'fifo', null, false],
      ['socket', 'special', 'socket', null, false],
    ]);
    // Nothing deceptive or invisible is sent as it is: not "invoice-2027exe.pdf" on any screen.
    expect(JSON.stringify(listing.body)).not.toMatch(/[\u202e\u200b\n]/);
    const entry = (name: string) => listing.body.entries.find((e) => e.name === name)!;

    // A folder only a ref can address is listed by it, and so are the entries below it.
    const inner = await list(at(entry('bad\\xFE\\u{000A}')));
    expect(inner.body).toMatchObject({ path: 'Odd/bad\\xFE\\u{000A}', entries: [{ name: 'inner.txt' }] });
    expect(inner.body.entries[0]!.ref).toBeDefined();
    // Downloaded by ref, under its shown name.
    const file = await fetch(`${server.url}/api/files/content?${at(entry('report\\xFF.pdf'))}`, {
      headers: { cookie: owner.cookie },
    });
    expect([file.status, (await file.arrayBuffer()).byteLength]).toEqual([200, 900 * KiB]);
    expect(file.headers.get('content-disposition')).toContain('filename="report_xFF.pdf"');
    // Renamed by ref to a plain name, after which it is an ordinary file.
    const renamed = await call<FileEntry>(owner, 'POST', '/api/files/move', {
      fromRef: entry('invoice-2027\\u{202E}fdp.exe').ref,
      to: 'Odd/invoice-2027.exe',
    });
    expect(renamed.body).toMatchObject({ path: 'Odd/invoice-2027.exe', name: 'invoice-2027.exe', kind: 'file' });
    expect(renamed.body.ref).toBeUndefined();
    // A path and a ref at once is a mistake; a ref that is not exact base64url is refused.
    expect((await list(`path=Odd&${at(entry('pay\\u{200B}pal.pdf'))}`)).status).toBe(400);
    expect((await list('ref=%2Fetc')).status).toBe(400);
    // Special entries are never opened or followed: downloading them is refused.
    expect((await call(owner, 'GET', '/api/files/content?path=Odd/pipe')).status).toBe(400);

    // Each one goes to the trash on its own.
    const after = (await list('path=Odd')).body.entries;
    expect(after).toHaveLength(9);
    for (const e of after) {
      const gone = await call<TrashItem>(owner, 'DELETE', `/api/files?${at(e)}`);
      expect([e.name, gone.status]).toEqual([e.name, 200]);
      expect(gone.body.kind).toBe(e.kind);
    }
    expect(fs.readdirSync(path.join(root, 'Odd'))).toEqual([]);
    expect(fs.readFileSync('/etc/passwd', 'utf8')).toContain('root:');

    // The trash shows where each was, escaped; the hidden file comes back under its exact bytes.
    const items = await trashOf();
    expect(JSON.stringify(items)).not.toMatch(/[\u202e\u200b\n]/);
    const hidden = items.find((i) => i.originalPath === 'Odd/report\\xFF.pdf')!;
    expect(hidden).toMatchObject({ kind: 'file', size: 900 * KiB });
    expect((await call(owner, 'POST', `/api/trash/${hidden.id}/restore`)).status).toBe(200);
    expect(fs.statSync(onDisk('Odd', HIDDEN)).size).toBe(900 * KiB);
    const folder = items.find((i) => i.kind === 'folder')!;
    expect((await call(owner, 'POST', `/api/trash/${folder.id}/restore`)).status).toBe(200);
    expect(fs.readFileSync(onDisk('Odd', ODD_FOLDER, 'inner.txt'), 'utf8')).toBe('inside');
    const again = (await list('path=Odd')).body.entries;
    for (const e of again) expect((await call(owner, 'DELETE', `/api/files?${at(e)}`)).status).toBe(200);

    // Deleted for good, the quota is free again.
    await purgeAll();
    expect((await usage()).usedBytes).toBe(0);
    expect((await upload('photo.jpg', Buffer.alloc(200 * KiB))).status).toBe(201);
    expect((await call(owner, 'DELETE', '/api/files?path=photo.jpg')).status).toBe(200);
    await purgeAll();
  }, 120_000);
});

describe('what the trash keeps (item 8)', () => {
  it('a hard link an app kept cannot change a trashed file, a file in a trashed folder, or a replaced version', async () => {
    fs.mkdirSync(path.join(root, 'AppData'));
    const keep = (name: string) => path.join(root, 'AppData', name);

    expect((await upload('Contract.txt', 'signed v1')).status).toBe(201);
    fs.linkSync(path.join(root, 'Contract.txt'), keep('contract'));
    const file = (await call<TrashItem>(owner, 'DELETE', '/api/files?path=Contract.txt')).body;

    await call(owner, 'POST', '/api/files/folders', { path: 'Deals' });
    expect((await upload('Deals/terms.txt', 'net 30')).status).toBe(201);
    fs.linkSync(path.join(root, 'Deals', 'terms.txt'), keep('terms'));
    const folder = (await call<TrashItem>(owner, 'DELETE', '/api/files?path=Deals')).body;

    expect((await upload('Price.txt', 'price 100')).status).toBe(201);
    fs.linkSync(path.join(root, 'Price.txt'), keep('price'));
    const replaced = (await upload('Price.txt', 'price 120', 'replace')).body.replaced!;

    // The app writes through its links after the owner trashed (or replaced) the files.
    fs.writeFileSync(keep('contract'), 'forged v2');
    fs.writeFileSync(keep('terms'), 'net 900');
    fs.writeFileSync(keep('price'), 'price 1');

    // The sizes on record are what was trashed; what comes back is what was trashed.
    expect([file.size, folder.size, replaced.size]).toEqual([9, 6, 9]);
    for (const item of [file, folder, replaced]) {
      expect((await call(owner, 'POST', `/api/trash/${item.id}/restore?conflict=keep-both`)).status).toBe(200);
    }
    expect(fs.readFileSync(path.join(root, 'Contract.txt'), 'utf8')).toBe('signed v1');
    expect(fs.readFileSync(path.join(root, 'Deals', 'terms.txt'), 'utf8')).toBe('net 30');
    expect(fs.readFileSync(path.join(root, 'Price (2).txt'), 'utf8')).toBe('price 100');
    // The app's links are its own files now; nothing it holds reaches what was restored.
    expect(fs.statSync(path.join(root, 'Contract.txt')).nlink).toBe(1);
    expect(fs.readFileSync(keep('contract'), 'utf8')).toBe('forged v2');
  }, 60_000);
});
