import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { contextOf } from '../server/context.ts';
import { galleryHandler, parseEvent, type PageEvent } from '../server/gallery-server.ts';
import { FileRoot } from '../server/paths.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gallery-server-'));
fs.mkdirSync(path.join(tmp, 'Deal'));
fs.writeFileSync(path.join(tmp, 'Deal', 'a.png'), 'png bytes');
fs.writeFileSync(path.join(tmp, 'Deal', 'notes.txt'), 'text');
fs.writeFileSync(path.join(tmp, 'Other.png'), 'not shared');
fs.symlinkSync(path.join(tmp, 'Other.png'), path.join(tmp, 'Deal', 'b.png'));
const reported: PageEvent[] = [];
const server = http.createServer(
  galleryHandler({
    root: new FileRoot(tmp),
    uiDir: path.join(import.meta.dirname, '..', 'ui'),
    context: Promise.resolve({ grants: ['/files/Deal'], locale: 'fr-CH', timeZone: 'Europe/Zurich' }),
    report: (e) => reported.push(e) > 0,
  }),
);
let base = '';
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => {
  server.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const image = (p: string) => fetch(`${base}/api/image?${new URLSearchParams({ path: p })}`);
const post = (body: unknown, headers: Record<string, string> = { 'Content-Type': 'application/json' }) =>
  fetch(`${base}/api/events`, { method: 'POST', headers, body: JSON.stringify(body) });

it('serves the page with a strict policy, the viewer and the listing', async () => {
  const page = await fetch(base);
  expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
  expect(await page.text()).toContain('<script type="module" src="/gallery.js">');
  expect(await (await fetch(`${base}/api/init`)).json()).toEqual({
    grants: ['/files/Deal'],
    locale: 'fr-CH',
    timeZone: 'Europe/Zurich',
  });
  const listing = (await (await fetch(`${base}/api/images`)).json()) as { grants: Array<{ images: unknown[] }> };
  expect(listing.grants[0]!.images).toHaveLength(1);
});

it('serves a shared picture, and nothing outside the share, no link, no other file', async () => {
  const ok = await image('/files/Deal/a.png');
  expect([ok.status, ok.headers.get('content-type'), await ok.text()]).toEqual([200, 'image/png', 'png bytes']);
  expect(ok.headers.get('content-security-policy')).toBe('sandbox');
  expect((await image('/files/Other.png')).status).toBe(400);
  expect((await image('/files/Deal/../Other.png')).status).toBe(400);
  expect((await image('/files/Deal/notes.txt')).status).toBe(400);
  expect((await image('/files/Deal/missing.png')).status).toBe(404);
  const link = await image('/files/Deal/b.png');
  expect([link.status, await link.text()]).toEqual([403, '{"error":"links are not followed"}']);
  expect((await fetch(`${base}/api/image`)).status).toBe(400);
  expect((await fetch(`${base}/../../etc/passwd`)).status).toBe(404);
});

it('passes the page’s events on, only the gallery’s kinds on shared paths, only from the page', async () => {
  expect((await post({ kind: 'file-opened', path: '/files/Deal/a.png' })).status).toBe(202);
  expect((await post({ kind: 'folder-opened', path: '/files/Deal', entries: 1 })).status).toBe(202);
  expect((await post({ kind: 'file-opened', path: '/files/Other.png' })).status).toBe(400);
  expect((await post({ kind: 'deleted', path: '/files/Deal/a.png' })).status).toBe(400);
  expect(
    (await post({ kind: 'file-opened', path: '/files/Deal/a.png' }, { 'Content-Type': 'text/plain' })).status,
  ).toBe(415);
  const foreign = { 'Content-Type': 'application/json', Origin: 'http://evil.example' };
  expect((await post({ kind: 'file-opened', path: '/files/Deal/a.png' }, foreign)).status).toBe(403);
  expect(reported).toEqual([
    { kind: 'file-opened', path: '/files/Deal/a.png' },
    { kind: 'folder-opened', path: '/files/Deal', entries: 1 },
  ]);
});

it('parses events strictly', () => {
  const grants = ['/files/Deal'];
  expect(parseEvent('{"kind":"file-closed","path":"/files/Deal/a.png","extra":1}', grants)).toEqual({
    kind: 'file-closed',
    path: '/files/Deal/a.png',
  });
  for (const bad of [
    'not json',
    'null',
    '{"kind":"file-opened","path":"/files/Deal/notes.txt"}',
    '{"kind":"folder-opened","path":"/files/Deal","entries":-1}',
    '{"kind":"folder-opened","path":"/files/Deal","entries":1.5}',
    '{"kind":"folder-opened","path":"/files/Deal"}',
    '{"kind":"file-opened","path":"/files/Deal/./a.png"}',
  ]) {
    expect(parseEvent(bad, grants), bad).toBeNull();
  }
});

it('takes grants and the viewer from init, falling back for what Intl does not know', () => {
  const init = {
    v: 2 as const,
    type: 'init' as const,
    protocol: 2,
    display: { width: 1280, height: 720 },
    scale: 1,
    resizable: true,
    grants: [
      { path: '/files/Deal', rights: ['read' as const] },
      { path: '/elsewhere', rights: ['read' as const] },
    ],
    locale: 'de-CH',
    timeZone: 'Europe/Zurich',
  };
  expect(contextOf(init)).toEqual({ grants: ['/files/Deal'], locale: 'de-CH', timeZone: 'Europe/Zurich' });
  expect(contextOf({ ...init, locale: 'not a locale!', timeZone: 'Mars/Olympus' })).toMatchObject({
    locale: 'en-US',
    timeZone: 'UTC',
  });
  expect(contextOf(null)).toEqual({ grants: ['/files'], locale: 'en-US', timeZone: 'UTC' });
});
