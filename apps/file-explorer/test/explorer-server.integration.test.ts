import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The explorer server on its own, as the sandbox runs it (node main.ts, no dependencies), on a
// temporary folder standing in for /files. It runs under bubblewrap only to get a read-only bind
// mount without being root-proof-free: writes there fail with EROFS exactly as a view-only share does.
// A real Unix socket stands in for the Vitrine server's end of the control channel.

const MAIN = path.resolve(import.meta.dirname, '../server/main.ts');

interface Explorer {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Every explorer started here, stopped in afterAll even when a test failed or timed out. */
const running = new Set<Explorer>();

/**
 * bwrap runs node as its own child and does not pass signals on, so killing bwrap alone left
 * node orphaned and listening. Both run in a process group of their own, killed as a whole
 * (and --die-with-parent as a second line); stop() returns once every member is gone.
 */
async function killGroup(child: ChildProcess): Promise<void> {
  const pgid = child.pid!;
  const signal = (sig: NodeJS.Signals | 0) => {
    try {
      process.kill(-pgid, sig);
      return true;
    } catch {
      return false; // ESRCH: nobody left in the group
    }
  };
  const exited =
    child.exitCode !== null || child.signalCode !== null ? undefined : new Promise((r) => child.once('exit', r));
  signal('SIGKILL');
  await exited;
  const deadline = Date.now() + 5000;
  while (signal(0)) {
    if (Date.now() > deadline) throw new Error(`process group ${pgid} still alive after SIGKILL`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function startExplorer(opts: {
  root: string;
  ui: string;
  env?: Record<string, string>;
  roBinds?: string[];
}): Promise<Explorer> {
  const ready = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'explorer-ready-')), 'port');
  const args = [MAIN, '--port', '0', '--root', opts.root, '--ui', opts.ui, '--ready-file', ready];
  const binds = (opts.roBinds ?? []).flatMap((d) => ['--ro-bind', d, d]);
  const child = spawn(
    'bwrap',
    ['--die-with-parent', '--dev-bind', '/', '/', ...binds, '--', process.execPath, ...args],
    {
      env: { PATH: process.env.PATH, ...opts.env },
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
    },
  );
  const explorer: Explorer = {
    url: '',
    process: child,
    stop: async () => {
      running.delete(explorer);
      await killGroup(child);
      fs.rmSync(path.dirname(ready), { recursive: true, force: true });
    },
  };
  running.add(explorer);
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  try {
    const deadline = Date.now() + 10_000;
    while (!fs.existsSync(ready) || fs.readFileSync(ready, 'utf8').trim() === '') {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`explorer did not start: ${stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    explorer.url = `http://127.0.0.1:${Number(fs.readFileSync(ready, 'utf8'))}`;
    return explorer;
  } catch (err) {
    await explorer.stop();
    throw err;
  } finally {
    fs.rmSync(path.dirname(ready), { recursive: true, force: true });
  }
}

/**
 * The fake Vitrine end: greets each connection with `init` (when it has one), records every line,
 * answers trash requests by a rule of the test's.
 */
class FakeControl {
  readonly lines: Array<Record<string, unknown>> = [];
  readonly connections: net.Socket[] = [];
  server!: net.Server;
  answer: (p: string) => object = () => ({ ok: true });

  private readonly init: object | null;

  constructor(init: object | null) {
    this.init = init;
  }

  async listen(socketPath: string) {
    this.server = net.createServer((c) => {
      this.connections.push(c);
      if (this.init) c.write(JSON.stringify(this.init) + '\n');
      let buffer = '';
      c.setEncoding('utf8');
      c.on('data', (chunk: string) => {
        buffer += chunk;
        for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
          const msg = JSON.parse(buffer.slice(0, nl)) as Record<string, unknown>;
          buffer = buffer.slice(nl + 1);
          this.lines.push(msg);
          if (msg.type === 'request') {
            c.write(JSON.stringify({ v: 2, type: 'reply', id: msg.id, ...this.answer(msg.path as string) }) + '\n');
          }
        }
      });
    });
    await new Promise<void>((r) => this.server.listen(socketPath, r));
  }

  events() {
    return this.lines.filter((l) => l.type === 'event');
  }
}

async function waitUntil(check: () => boolean, what: string) {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

let tmp: string;
let files: string;
let ui: string;
let explorer: Explorer;
const GRANTS = [
  { path: '/files/Docs', rights: ['read', 'write', 'delete'] },
  { path: '/files/Ro', rights: ['read'] },
  { path: '/files/notes.txt', rights: ['read'] },
];

/** What the Vitrine server says first on the control channel: the session's grants and what to open. */
const initOf = (grants: object[], open?: string) => ({
  v: 2,
  type: 'init',
  protocol: 2,
  display: { width: 1280, height: 720 },
  scale: 1,
  resizable: true,
  grants,
  ...(open === undefined ? {} : { open }),
  locale: 'en-US',
  timeZone: 'UTC',
});

const control = new FakeControl(initOf(GRANTS, '/files/Docs/report.pdf'));

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'explorer-test-'));
  files = path.join(tmp, 'files');
  ui = path.join(tmp, 'ui');
  fs.mkdirSync(path.join(files, 'Docs', 'Sub'), { recursive: true });
  fs.mkdirSync(path.join(files, 'Ro'));
  fs.mkdirSync(path.join(ui, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(ui, 'index.html'), '<!doctype html><title>UI</title>');
  fs.writeFileSync(path.join(ui, 'assets', 'app.js'), 'console.log(1)');
  fs.writeFileSync(path.join(ui, 'assets', 'pdf.worker.mjs'), 'export {}');
  fs.writeFileSync(path.join(tmp, 'secret.txt'), 'secret');
  fs.writeFileSync(path.join(files, 'notes.txt'), 'notes');
  fs.writeFileSync(path.join(files, 'Docs', 'alpha.txt'), '0123456789');
  fs.writeFileSync(path.join(files, 'Docs', 'report.pdf'), '%PDF-1.4 fake');
  fs.writeFileSync(path.join(files, 'Docs', 'photo.PNG'), 'png');
  fs.writeFileSync(path.join(files, 'Docs', 'clip.mp4'), Buffer.alloc(1000, 7));
  fs.writeFileSync(path.join(files, 'Docs', 'page.html'), '<script>alert(1)</script>');
  fs.writeFileSync(path.join(files, 'Docs', 'blob.bin'), 'x');
  fs.writeFileSync(path.join(files, 'Ro', 'kept.txt'), 'kept');
  // Links planted by someone else: never followed, never listed.
  fs.symlinkSync(path.join(tmp, 'secret.txt'), path.join(files, 'Docs', 'secret-link.txt'));
  fs.symlinkSync(tmp, path.join(files, 'Docs', 'outside'));
  await control.listen(path.join(tmp, 'control.sock'));
  explorer = await startExplorer({
    root: files,
    ui,
    roBinds: [path.join(files, 'Ro'), path.join(files, 'notes.txt')],
    env: {
      VITRINE_CONTROL_SOCKET: path.join(tmp, 'control.sock'),
      // With a control channel the session is what `init` says: these are never read.
      VITRINE_GRANTS: JSON.stringify([{ path: '/files/Ro', access: 'read-write-delete' }]),
      VITRINE_OPEN: '/files/Ro/kept.txt',
    },
  });
});

afterAll(async () => {
  await Promise.all([...running].map((e) => e.stop()));
  control.server?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const get = (p: string, headers: Record<string, string> = {}) => fetch(explorer.url + p, { headers });
const getJson = async (p: string) => {
  const res = await get(p);
  return { status: res.status, body: (await res.json()) as any };
};
const post = async (p: string, body: unknown, headers: Record<string, string> = {}) => {
  const res = await fetch(explorer.url + p, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
};
const q = (p: string) => encodeURIComponent(p);
/** The status of a GET whose request line carries `rawPath` byte for byte. */
const rawStatus = (rawPath: string) =>
  new Promise<number>((resolve, reject) => {
    const { port } = new URL(explorer.url);
    http
      .get({ host: '127.0.0.1', port, path: rawPath }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      })
      .on('error', reject);
  });

describe('reading', () => {
  it('GET /api/roots: one per grant, named after it, with its kind and access', async () => {
    const { status, body } = await getJson('/api/roots');
    expect(status).toBe(200);
    expect(body).toEqual([
      { name: 'Docs', path: '/files/Docs', kind: 'folder', access: 'read-write-delete' },
      { name: 'Ro', path: '/files/Ro', kind: 'folder', access: 'read' },
      { name: 'notes.txt', path: '/files/notes.txt', kind: 'file', access: 'read' },
    ]);
  });

  it('GET /api/start: what the session asked to show first (`init.open`), only a path under /files', async () => {
    expect(await getJson('/api/start')).toEqual({ status: 200, body: { open: '/files/Docs/report.pdf' } });
    // Without a control channel, VITRINE_OPEN says, checked the same way.
    const other = await startExplorer({ root: files, ui, env: { VITRINE_OPEN: '/files/../etc/passwd' } });
    try {
      expect(await (await fetch(`${other.url}/api/start`)).json()).toEqual({ open: null });
    } finally {
      await other.stop();
    }
  });

  it('GET /api/list: folders first, then files by name, typed by extension; links are not listed', async () => {
    const { status, body } = await getJson(`/api/list?path=${q('/files/Docs')}`);
    expect(status).toBe(200);
    expect(body.path).toBe('/files/Docs');
    const byName = Object.fromEntries(body.entries.map((e: any) => [e.name, e]));
    expect(body.entries.map((e: any) => e.name)).toEqual([
      'Sub',
      'alpha.txt',
      'blob.bin',
      'clip.mp4',
      'page.html',
      'photo.PNG',
      'report.pdf',
    ]);
    expect(byName.Sub).toMatchObject({ kind: 'folder', type: 'folder', path: '/files/Docs/Sub', size: null });
    expect(byName['alpha.txt']).toMatchObject({ kind: 'file', type: 'text', size: 10, path: '/files/Docs/alpha.txt' });
    expect(new Date(byName['alpha.txt'].modifiedAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(byName['report.pdf'].type).toBe('pdf');
    expect(byName['photo.PNG'].type).toBe('image');
    expect(byName['clip.mp4'].type).toBe('video');
    expect(byName['blob.bin'].type).toBe('other');
    // "/files" itself lists what is there (in the sandbox: the grants' mount points).
    const top = await getJson(`/api/list?path=/files`);
    expect(top.body.entries.map((e: any) => e.name)).toEqual(['Docs', 'Ro', 'notes.txt']);
  });

  it('listing a file, a missing folder, or through a link fails cleanly', async () => {
    expect((await getJson(`/api/list?path=${q('/files/Docs/alpha.txt')}`)).body.error).toBe('not-a-folder');
    expect((await getJson(`/api/list?path=${q('/files/Docs/nothing')}`)).status).toBe(404);
    const viaLink = await getJson(`/api/list?path=${q('/files/Docs/outside')}`);
    expect(viaLink.status).toBe(403);
    expect(viaLink.body).toMatchObject({ error: 'denied', code: 'ELOOP' });
  });

  it('GET /api/file: the bytes with a Content-Type by extension; HTML is served as plain text', async () => {
    const res = await get(`/api/file?path=${q('/files/Docs/alpha.txt')}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(await res.text()).toBe('0123456789');
    const types: Record<string, string> = {
      'report.pdf': 'application/pdf',
      'photo.PNG': 'image/png',
      'clip.mp4': 'video/mp4',
      'page.html': 'text/plain; charset=utf-8',
      'blob.bin': 'application/octet-stream',
    };
    for (const [name, type] of Object.entries(types)) {
      const r = await get(`/api/file?path=${q(`/files/Docs/${name}`)}`);
      expect(r.headers.get('content-type'), name).toBe(type);
      expect(r.headers.get('content-security-policy'), name).toMatch(/^sandbox/);
      await r.arrayBuffer();
    }
    const single = await get(`/api/file?path=${q('/files/notes.txt')}`);
    expect(await single.text()).toBe('notes');
  });

  it('Range: a slice, an open end, a suffix; 416 beyond the end; several ranges get the whole file', async () => {
    const file = `/api/file?path=${q('/files/Docs/alpha.txt')}`;
    const slice = await get(file, { Range: 'bytes=2-5' });
    expect(slice.status).toBe(206);
    expect(slice.headers.get('content-range')).toBe('bytes 2-5/10');
    expect(slice.headers.get('content-length')).toBe('4');
    expect(await slice.text()).toBe('2345');
    const open = await get(file, { Range: 'bytes=7-' });
    expect([open.status, await open.text()]).toEqual([206, '789']);
    const suffix = await get(file, { Range: 'bytes=-3' });
    expect([suffix.status, await suffix.text()]).toEqual([206, '789']);
    const clipped = await get(file, { Range: 'bytes=8-100' });
    expect([clipped.headers.get('content-range'), await clipped.text()]).toEqual(['bytes 8-9/10', '89']);
    const beyond = await get(file, { Range: 'bytes=10-' });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe('bytes */10');
    await beyond.arrayBuffer();
    const several = await get(file, { Range: 'bytes=0-1,4-5' });
    expect([several.status, await several.text()]).toEqual([200, '0123456789']);
    const video = await get(`/api/file?path=${q('/files/Docs/clip.mp4')}`, { Range: 'bytes=990-' });
    expect(video.status).toBe(206);
    expect((await video.arrayBuffer()).byteLength).toBe(10);
  });

  it('HEAD /api/file: the headers without the bytes', async () => {
    const res = await fetch(`${explorer.url}/api/file?path=${q('/files/Docs/alpha.txt')}`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe('10');
  });
});

describe('paths that try to leave /files', () => {
  const attempts = [
    '/files/../secret.txt',
    '/files/Docs/../../secret.txt',
    '/files/Docs/..',
    '..',
    'files/Docs/alpha.txt',
    'Docs/alpha.txt',
    '/etc/passwd',
    '/',
    '/filesx/alpha.txt',
    '/files\0/Docs/alpha.txt',
    '/files/Docs/alpha.txt\0.pdf',
    '',
  ];

  it.each(attempts)('%j is refused with 400 everywhere', async (p) => {
    for (const route of ['/api/list', '/api/file']) {
      const res = await get(`${route}?path=${q(p)}`);
      expect(res.status, route).toBe(400);
      expect(((await res.json()) as any).error).toBe('invalid-path');
    }
    for (const [route, body] of [
      ['/api/folders', { path: p }],
      ['/api/move', { from: p, to: '/files/Docs/x' }],
      ['/api/move', { from: '/files/Docs/alpha.txt', to: p }],
      ['/api/trash', { path: p }],
      ['/api/events', { kind: 'file-opened', path: p }],
    ] as const) {
      const r = await post(route, body);
      expect(r.status, `${route} ${JSON.stringify(body)}`).toBe(400);
    }
  });

  it('a missing path parameter is 400, and links are never followed to read a file', async () => {
    expect((await getJson('/api/list')).status).toBe(400);
    const link = await getJson(`/api/file?path=${q('/files/Docs/secret-link.txt')}`);
    expect(link.status).toBe(403);
    expect(link.body).toMatchObject({ error: 'denied', code: 'ELOOP' });
    const through = await getJson(`/api/file?path=${q('/files/Docs/outside/secret.txt')}`);
    expect(through.status).toBe(403);
    expect(JSON.stringify(through.body)).not.toContain('secret"');
  });

  it('nothing is written through a link either', async () => {
    const r = await post('/api/folders', { path: '/files/Docs/outside/planted' });
    expect(r.status).toBe(403);
    expect(fs.existsSync(path.join(tmp, 'planted'))).toBe(false);
    const m = await post('/api/move', { from: '/files/Docs/blob.bin', to: '/files/Docs/outside/blob.bin' });
    expect(m.status).toBe(403);
    expect(fs.existsSync(path.join(files, 'Docs', 'blob.bin'))).toBe(true);
  });
});

describe('changing', () => {
  it('POST /api/folders: 201, reported as folder-created; 409 when it exists', async () => {
    const r = await post('/api/folders', { path: '/files/Docs/New folder' });
    expect(r).toEqual({ status: 201, body: { path: '/files/Docs/New folder' } });
    expect(fs.statSync(path.join(files, 'Docs', 'New folder')).isDirectory()).toBe(true);
    await waitUntil(() => control.events().some((e) => e.kind === 'folder-created'), 'the folder-created event');
    expect(control.events().find((e) => e.kind === 'folder-created')).toEqual({
      v: 2,
      type: 'event',
      kind: 'folder-created',
      path: '/files/Docs/New folder',
    });
    expect((await post('/api/folders', { path: '/files/Docs/New folder' })).body.error).toBe('exists');
    expect((await post('/api/folders', { path: '/files/Docs/no/such/parent' })).status).toBe(404);
  });

  it('kernel refusals are 403 "denied" with the errno', async () => {
    const r = await post('/api/folders', { path: '/files/Ro/New' });
    expect(r.status).toBe(403);
    expect(r.body).toMatchObject({ error: 'denied', code: 'EROFS' });
    const m = await post('/api/move', { from: '/files/Ro/kept.txt', to: '/files/Ro/renamed.txt' });
    expect(m.body).toMatchObject({ error: 'denied', code: 'EROFS' });
  });

  it('POST /api/move: a rename in place, then a move elsewhere, each reported', async () => {
    fs.writeFileSync(path.join(files, 'Docs', 'a.txt'), 'a');
    const renamed = await post('/api/move', { from: '/files/Docs/a.txt', to: '/files/Docs/b.txt' });
    expect(renamed).toEqual({ status: 200, body: { path: '/files/Docs/b.txt' } });
    const moved = await post('/api/move', { from: '/files/Docs/b.txt', to: '/files/Docs/Sub/b.txt' });
    expect(moved.status).toBe(200);
    expect(fs.readFileSync(path.join(files, 'Docs', 'Sub', 'b.txt'), 'utf8')).toBe('a');
    await waitUntil(() => control.events().some((e) => e.kind === 'moved'), 'the moved event');
    expect(control.events().filter((e) => e.kind === 'renamed' || e.kind === 'moved')).toEqual([
      { v: 2, type: 'event', kind: 'renamed', path: '/files/Docs/a.txt', to: '/files/Docs/b.txt' },
      { v: 2, type: 'event', kind: 'moved', path: '/files/Docs/b.txt', to: '/files/Docs/Sub/b.txt' },
    ]);
  });

  it('a move never replaces what is there, never goes into itself, never moves a shared folder', async () => {
    const over = await post('/api/move', { from: '/files/Docs/alpha.txt', to: '/files/Docs/report.pdf' });
    expect(over.status).toBe(409);
    expect(fs.readFileSync(path.join(files, 'Docs', 'alpha.txt'), 'utf8')).toBe('0123456789');
    expect((await post('/api/move', { from: '/files/Docs/Sub', to: '/files/Docs/Sub/Inner' })).status).toBe(400);
    expect((await post('/api/move', { from: '/files/Docs', to: '/files/Docs2' })).status).toBe(403);
    expect((await post('/api/move', { from: '/files/Docs/missing', to: '/files/Docs/x' })).status).toBe(404);
  });

  it('POST /api/trash: asks the server over the control channel and passes its answer on', async () => {
    control.answer = (p) =>
      p.startsWith('/files/Docs/')
        ? { ok: true }
        : { ok: false, error: 'denied', message: 'this share does not allow deleting' };
    const ok = await post('/api/trash', { path: '/files/Docs/blob.bin' });
    expect(ok).toEqual({ status: 200, body: { ok: true } });
    const request = control.lines.find((l) => l.type === 'request')!;
    expect(request).toEqual({
      v: 2,
      type: 'request',
      id: expect.any(Number),
      action: 'trash',
      path: '/files/Docs/blob.bin',
    });
    const denied = await post('/api/trash', { path: '/files/Ro/kept.txt' });
    expect(denied).toEqual({ status: 403, body: { error: 'denied', message: 'this share does not allow deleting' } });
    // Two requests, two ids.
    const ids = control.lines.filter((l) => l.type === 'request').map((l) => l.id);
    expect(new Set(ids).size).toBe(2);
  });

  it('POST /api/events: what the UI reports is forwarded; the kinds the server reports itself are not accepted', async () => {
    const r = await post('/api/events', {
      kind: 'page-viewed',
      path: '/files/Docs/report.pdf',
      page: 3,
      pages: 12,
      zoom: 125,
    });
    expect(r).toEqual({ status: 202, body: { forwarded: true } });
    await waitUntil(() => control.events().some((e) => e.kind === 'page-viewed'), 'the page-viewed event');
    expect(control.events().find((e) => e.kind === 'page-viewed')).toEqual({
      v: 2,
      type: 'event',
      kind: 'page-viewed',
      path: '/files/Docs/report.pdf',
      page: 3,
      pages: 12,
      zoom: 125,
    });
    expect((await post('/api/events', { kind: 'file-closed', path: '/files/Docs/report.pdf' })).status).toBe(202);
    const video = await post('/api/events', { kind: 'video-stopped', path: '/files/Docs/clip.mp4', position: 12.5 });
    expect(video.status).toBe(202);
    for (const bad of [
      { kind: 'renamed', path: '/files/Docs/a' },
      { kind: 'teleported', path: '/files/Docs/a' },
      { kind: 'page-viewed', path: '/files/Docs/a', page: 0 },
      { kind: 'page-viewed', path: '/files/Docs/a', page: 1.5 },
      { kind: 'page-viewed', path: '/files/Docs/a', page: 1, pages: 0 },
      { kind: 'page-viewed', path: '/files/Docs/a', page: 1, zoom: 99.5 },
      { kind: 'page-viewed', path: '/files/Docs/a', page: 1, zoom: 10_000 },
      { kind: 'video-started', path: '/files/Docs/a', position: -1 },
    ]) {
      expect((await post('/api/events', bad)).status, JSON.stringify(bad)).toBe(400);
    }
  });

  it('changes need JSON from the UI itself: other content types and foreign origins are refused', async () => {
    const form = await fetch(explorer.url + '/api/folders', {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: JSON.stringify({ path: '/files/Docs/Form' }),
    });
    expect(form.status).toBe(415);
    const foreign = await post('/api/folders', { path: '/files/Docs/Foreign' }, { Origin: 'http://evil.example' });
    expect(foreign.status).toBe(403);
    expect((await post('/api/folders', 'not json')).status).toBe(400);
    expect((await post('/api/folders', 'x'.repeat(70_000))).status).toBe(413);
    expect(fs.existsSync(path.join(files, 'Docs', 'Form'))).toBe(false);
    expect(fs.existsSync(path.join(files, 'Docs', 'Foreign'))).toBe(false);
    expect((await getJson('/api/nothing')).status).toBe(404);
    expect((await post('/api/roots', {})).status).toBe(405);
  });
});

describe('the UI', () => {
  it('serves index.html at / and assets with their content types', async () => {
    const index = await get('/');
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await index.text()).toContain('<title>UI</title>');
    const js = await get('/assets/app.js');
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await js.text()).toBe('console.log(1)');
    const worker = await get('/assets/pdf.worker.mjs');
    expect(worker.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    await worker.arrayBuffer();
    expect((await get('/assets/missing.js')).status).toBe(404);
    // Sent as is (fetch would resolve the dots itself); the server's URL parsing resolves them
    // within "/" (so: not found), and an encoded "/" cannot smuggle them past it.
    expect(await rawStatus('/assets/../../secret.txt')).toBe(404);
    expect(await rawStatus('/assets/%2e%2e/%2e%2e/secret.txt')).toBe(404);
    expect(await rawStatus('/..%2fsecret.txt')).toBe(400);
    expect(await rawStatus('/%00')).toBe(400);
  });

  it('without a built UI, a placeholder page; without a control channel, trash is 503 and events are dropped', async () => {
    const bare = await startExplorer({ root: files, ui: path.join(tmp, 'no-ui') });
    try {
      const page = await fetch(bare.url + '/');
      expect(await page.text()).toContain('File Explorer');
      const trash = await fetch(bare.url + '/api/trash', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ path: '/files/Docs/alpha.txt' }),
      });
      expect(trash.status).toBe(503);
      expect(((await trash.json()) as any).error).toBe('unavailable');
      const event = await fetch(bare.url + '/api/events', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ kind: 'file-opened', path: '/files/Docs/alpha.txt' }),
      });
      expect(await event.json()).toEqual({ forwarded: false });
      // No VITRINE_GRANTS: /files as a whole.
      expect(await (await fetch(bare.url + '/api/roots')).json()).toEqual([
        { name: 'Files', path: '/files', kind: 'folder', access: 'read-write-delete' },
      ]);
    } finally {
      await bare.stop();
    }
  });
});

describe('an explorer started before its session (warm start)', () => {
  it('holds every request until init, however late; then answers them with its grants and what to open', async () => {
    const sock = path.join(tmp, 'late.sock');
    const late = new FakeControl(null);
    await late.listen(sock);
    const warm = await startExplorer({ root: files, ui, env: { VITRINE_CONTROL_SOCKET: sock } });
    try {
      await waitUntil(() => late.connections.length === 1, 'the explorer to connect');
      const answered: string[] = [];
      const asked = (p: string) =>
        fetch(warm.url + p).then(async (r) => {
          answered.push(p);
          return { status: r.status, body: await r.text() };
        });
      const page = asked('/');
      const roots = asked('/api/roots');
      const start = asked('/api/start');
      // Longer than the SDK's default wait for init (10 s): a warm start has no such limit.
      await new Promise((r) => setTimeout(r, 10_500));
      expect(answered).toEqual([]);
      late.connections[0]!.write(
        JSON.stringify(initOf([{ path: '/files/Docs', rights: ['read', 'write'] }], '/files/Docs/alpha.txt')) + '\n',
      );
      expect(await page).toMatchObject({ status: 200, body: expect.stringContaining('<title>UI</title>') });
      expect(JSON.parse((await roots).body)).toEqual([
        { name: 'Docs', path: '/files/Docs', kind: 'folder', access: 'read-write' },
      ]);
      expect(JSON.parse((await start).body)).toEqual({ open: '/files/Docs/alpha.txt' });
      // Asked after init: answered at once, from the same session.
      expect(await (await fetch(warm.url + '/api/start')).json()).toEqual({ open: '/files/Docs/alpha.txt' });
    } finally {
      await warm.stop();
      late.server.close();
    }
  });

  it('ends cleanly when it is shut down before any session came', async () => {
    const sock = path.join(tmp, 'unused.sock');
    const unused = new FakeControl(null);
    await unused.listen(sock);
    const warm = await startExplorer({ root: files, ui, env: { VITRINE_CONTROL_SOCKET: sock } });
    try {
      await waitUntil(() => unused.connections.length === 1, 'the explorer to connect');
      const exited = new Promise((r) => warm.process.once('exit', (code) => r(code)));
      unused.connections[0]!.write('{"v":2,"type":"shutdown","graceMs":3000,"reason":"server shutdown"}\n');
      expect(await exited).toBe(0);
    } finally {
      await warm.stop();
      unused.server.close();
    }
  });
});
