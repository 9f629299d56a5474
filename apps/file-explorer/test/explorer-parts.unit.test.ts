import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createControlClient, type ControlClient } from '../server/control.ts';
import { parseGrants, parseRange } from '../server/explorer.ts';
import { checkSandboxPath, fsError } from '../server/paths.ts';
import { fileContentType, fileType } from '../server/types.ts';

describe('checkSandboxPath', () => {
  it('normalises paths under /files', () => {
    expect(checkSandboxPath('/files')).toBe('/files');
    expect(checkSandboxPath('/files/')).toBe('/files');
    expect(checkSandboxPath('/files//Docs/./a.txt')).toBe('/files/Docs/a.txt');
    expect(checkSandboxPath('/files/Docs/')).toBe('/files/Docs');
    expect(checkSandboxPath('//files/Docs')).toBe('/files/Docs');
  });

  it('refuses "..", NUL, relative paths and anything outside /files', () => {
    for (const bad of [
      '/files/..',
      '/files/Docs/../..',
      '/files/a/../b',
      'files/a',
      './files',
      '/files\0',
      '/filesystem',
      '/etc/passwd',
      '',
      undefined,
      42,
      '/files/' + 'x'.repeat(5000),
    ]) {
      expect(() => checkSandboxPath(bad), JSON.stringify(bad)).toThrow();
    }
  });
});

describe('parseRange', () => {
  it('reads the forms a browser sends', () => {
    expect(parseRange(undefined, 10)).toBeUndefined();
    expect(parseRange('bytes=0-', 10)).toEqual([0, 9]);
    expect(parseRange('bytes=2-5', 10)).toEqual([2, 5]);
    expect(parseRange('bytes=5-100', 10)).toEqual([5, 9]);
    expect(parseRange('bytes=-4', 10)).toEqual([6, 9]);
    expect(parseRange('bytes=-40', 10)).toEqual([0, 9]);
  });

  it('416 beyond the end; whole file for what it does not serve as a range', () => {
    expect(parseRange('bytes=10-', 10)).toBe('unsatisfiable');
    expect(parseRange('bytes=0-', 0)).toBe('unsatisfiable');
    expect(parseRange('bytes=-0', 10)).toBe('unsatisfiable');
    expect(parseRange('bytes=5-2', 10)).toBeUndefined();
    expect(parseRange('bytes=0-1,3-4', 10)).toBeUndefined();
    expect(parseRange('items=0-1', 10)).toBeUndefined();
    expect(parseRange('bytes=-', 10)).toBeUndefined();
  });
});

describe('types and errors', () => {
  it('types by extension, case-insensitively', () => {
    expect(fileType('a.PDF')).toBe('pdf');
    expect(fileType('a.jpeg')).toBe('image');
    expect(fileType('a.webm')).toBe('video');
    expect(fileType('README')).toBe('text');
    expect(fileType('a.docx')).toBe('document');
    expect(fileType('a.ods')).toBe('spreadsheet');
    expect(fileType('a.flac')).toBe('audio');
    expect(fileType('a.pages')).toBe('other');
    expect(fileContentType('x.svg')).toBe('image/svg+xml');
    expect(fileContentType('x.htm')).toBe('text/plain; charset=utf-8');
    expect(fileContentType('x.js')).toBe('text/plain; charset=utf-8');
  });

  it('kernel refusals are 403 denied with the errno', () => {
    for (const code of ['EACCES', 'EPERM', 'EROFS']) {
      const e = fsError(Object.assign(new Error('x'), { code }));
      expect([e.status, e.code, e.errno]).toEqual([403, 'denied', code]);
    }
    expect(fsError(Object.assign(new Error('x'), { code: 'ENOENT' })).status).toBe(404);
    expect(fsError(new Error('boom')).status).toBe(500);
  });

  it('VITRINE_GRANTS: parsed and checked; absent means /files', () => {
    expect(parseGrants('[{"path":"/files/A/","access":"read"}]')).toEqual([{ path: '/files/A', access: 'read' }]);
    expect(parseGrants(undefined)).toEqual([{ path: '/files', access: 'read-write-delete' }]);
    expect(() => parseGrants('[{"path":"/etc","access":"read"}]')).toThrow();
    expect(() => parseGrants('[{"path":"/files/A","access":"all"}]')).toThrow();
    expect(() => parseGrants('{}')).toThrow();
  });
});

describe('control client', () => {
  let tmp: string;
  let server: net.Server | undefined;
  let client: ControlClient | undefined;
  afterEach(() => {
    client?.close();
    server?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  const socketPath = () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'explorer-control-'));
    return path.join(tmp, 'control.sock');
  };

  /** A server that records lines and hands each request to `answer` (undefined: no reply). */
  async function listen(sock: string, answer: (msg: any) => object | undefined) {
    const lines: any[] = [];
    const connections: net.Socket[] = [];
    server = net.createServer((c) => {
      connections.push(c);
      let buffer = '';
      c.on('data', (d) => {
        buffer += d;
        for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
          const msg = JSON.parse(buffer.slice(0, nl));
          buffer = buffer.slice(nl + 1);
          lines.push(msg);
          const reply = msg.type === 'request' ? answer(msg) : undefined;
          if (reply) c.write(JSON.stringify({ v: 1, type: 'reply', id: msg.id, ...reply }) + '\n');
        }
      });
    });
    await new Promise<void>((r) => server!.listen(sock, r));
    return { lines, connections };
  }

  const quiet = { log: () => {} };

  it('without a socket: not available, events dropped, trash unavailable', async () => {
    client = createControlClient(undefined);
    expect(client.available).toBe(false);
    expect(client.event({ kind: 'file-opened', path: '/files/a' })).toBe(false);
    expect(await client.trash('/files/a')).toMatchObject({ ok: false, error: 'unavailable' });
  });

  it('connects lazily, sends newline-delimited JSON with v:1, matches replies by id', async () => {
    const sock = socketPath();
    const { lines } = await listen(sock, (m) =>
      m.path === '/files/no' ? { ok: false, error: 'denied', message: 'no delete' } : { ok: true },
    );
    client = createControlClient(sock, quiet);
    expect(client.event({ kind: 'page-viewed', path: '/files/a.pdf', page: 2 })).toBe(true);
    const [a, b] = await Promise.all([client.trash('/files/yes'), client.trash('/files/no')]);
    expect(a).toEqual({ ok: true });
    expect(b).toEqual({ ok: false, error: 'denied', message: 'no delete' });
    expect(lines[0]).toEqual({ v: 1, type: 'event', kind: 'page-viewed', path: '/files/a.pdf', page: 2 });
    expect(lines.slice(1).map((l) => [l.type, l.action, l.path])).toEqual([
      ['request', 'trash', '/files/yes'],
      ['request', 'trash', '/files/no'],
    ]);
    expect(lines[1].id).not.toBe(lines[2].id);
  });

  it('a request without a reply times out; a closed connection fails its requests and reconnects later', async () => {
    const sock = socketPath();
    const { lines, connections } = await listen(sock, () => undefined);
    client = createControlClient(sock, { ...quiet, timeoutMs: 100 });
    expect(await client.trash('/files/slow')).toMatchObject({ ok: false, error: 'timeout' });
    const pending = client.trash('/files/dropped');
    while (lines.length < 2) await new Promise((r) => setTimeout(r, 5));
    connections[0]!.destroy();
    expect(await pending).toMatchObject({ ok: false, error: 'unavailable' });
    // The next message opens a new connection.
    client.event({ kind: 'file-opened', path: '/files/again' });
    while (lines.length < 3) await new Promise((r) => setTimeout(r, 5));
    expect(connections).toHaveLength(2);
    expect(lines[2].path).toBe('/files/again');
  });

  it('no server listening: trash answers "unavailable" at once, events are dropped', async () => {
    client = createControlClient(path.join(socketPath(), 'missing.sock'), quiet);
    expect(await client.trash('/files/a')).toMatchObject({ ok: false, error: 'unavailable' });
    expect(client.event({ kind: 'file-opened', path: '/files/a' })).toBe(false);
  });

  it('never sends a line over 4096 bytes, and keeps under the rate limit', async () => {
    const sock = socketPath();
    const { lines } = await listen(sock, () => ({ ok: true }));
    client = createControlClient(sock, { ...quiet, perSecond: 10, burst: 5 });
    expect(client.event({ kind: 'file-opened', path: '/files/' + 'x'.repeat(4090) })).toBe(false);
    const sent = Array.from({ length: 10 }, (_, i) =>
      client!.event({ kind: 'page-viewed', path: '/files/a', page: i + 1 }),
    );
    expect(sent.filter(Boolean)).toHaveLength(5);
    while (lines.length < 5) await new Promise((r) => setTimeout(r, 5));
    expect(await client.trash('/files/a')).toMatchObject({ ok: false, error: 'busy' });
  });
});
