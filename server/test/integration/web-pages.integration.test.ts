/**
 * The web client's pages as the real server serves them: each page's Permissions-Policy (owners'
 * pages may write the clipboard, the viewer's and the client's never touch it), a page asked for
 * under another name than PUBLIC_URL's (http://127.0.0.1:PORT) redirected there, and API calls
 * from such an origin refused with a message that says what to open.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers.ts';

let server: TestServer;
let port: number;
let publicHost: string;

/** A GET to the server's socket with exactly these headers (fetch may not set Host). */
function get(
  pathAndQuery: string,
  headers: Record<string, string>,
  method = 'GET',
  body?: string,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: pathAndQuery, method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
const asPublic = (p: string) => get(p, { host: publicHost });

beforeAll(async () => {
  server = await startTestServer({}, { registerOwner: false });
  port = Number(new URL(server.url).port);
  publicHost = new URL(server.publicUrl()).host;
  expect(publicHost).toBe(`localhost:${port}`);
  expect(fs.existsSync(path.join(server.config.http.webDist, 'index.html'))).toBe(true);
}, 60_000);
afterAll(() => server?.close());

const features = (policy: string | string[] | undefined) =>
  Object.fromEntries(
    String(policy ?? '')
      .split(',')
      .map((f) => f.trim().split('='))
      .map(([k, v]) => [k, v]),
  );

it("lets owners' pages write the clipboard, and keeps it shut on the viewer's and clients' pages", async () => {
  const ownersPages = [
    '/',
    '/files',
    '/files/Reports',
    '/shares',
    '/account',
    '/apps',
    '/invite',
    '/signin?next=/shares',
  ];
  const viewersAndClientsPages = [
    '/session/0f7e7a53-8d59-4b8e-9d9e-1d3f5f3c2a10',
    '/session/x?codec=h264',
    '/shared',
    '/shared/',
  ];
  for (const [pages, clipboardWrite] of [
    [ownersPages, '(self)'],
    [viewersAndClientsPages, '()'],
  ] as const) {
    for (const page of pages) {
      const res = await asPublic(page);
      expect(res.status, page).toBe(200);
      expect(res.headers['content-type'], page).toMatch(/^text\/html/);
      const f = features(res.headers['permissions-policy']);
      expect(f['clipboard-write'], page).toBe(clipboardWrite);
      expect(f['clipboard-read'], page).toBe('()');
      expect(f.camera, page).toBe('()');
      expect(f['display-capture'], page).toBe('()');
    }
  }
  // Everything that is not a page may do nothing: the API and the page's own scripts.
  const api = await asPublic('/api/apps');
  expect(api.status).toBe(401);
  expect(features(api.headers['permissions-policy'])['clipboard-write']).toBe('()');
  const script = /src="(\/assets\/[^"]+\.js)"/.exec((await asPublic('/')).body)?.[1];
  expect(script).toBeDefined();
  const asset = await asPublic(script!);
  expect(asset.status).toBe(200);
  expect(features(asset.headers['permissions-policy'])['clipboard-write']).toBe('()');
});

it('redirects a page opened at 127.0.0.1 to the same path on PUBLIC_URL', async () => {
  for (const page of ['/', '/shares?tab=1', '/invite', '/session/abc']) {
    const res = await get(page, { host: `127.0.0.1:${port}`, accept: 'text/html' });
    expect(res.status, page).toBe(302);
    expect(res.headers.location, page).toBe(`${server.publicUrl()}${page}`);
  }
  // Another name for this machine too (what a browser sends for http://[::1]:PORT).
  expect((await get('/files', { host: `[::1]:${port}` })).headers.location).toBe(`${server.publicUrl()}/files`);
  // The page's own files and the API are not redirected: they are never the first thing a browser opens.
  const script = /src="(\/assets\/[^"]+\.js)"/.exec((await asPublic('/')).body)![1]!;
  expect((await get(script, { host: `127.0.0.1:${port}` })).status).toBe(200);
  expect((await get('/api/apps', { host: `127.0.0.1:${port}` })).status).toBe(401);
  // Behind a reverse proxy the Host header is the proxy's business: no redirect (it could loop).
  const proxied = await get('/shares', { host: `127.0.0.1:${port}`, 'x-forwarded-host': 'vitrine.example.test' });
  expect(proxied.status).toBe(200);
});

it('refuses API calls from another origin with a message that says what to open', async () => {
  const res = await get(
    '/api/auth/login/options',
    { host: `127.0.0.1:${port}`, origin: `http://127.0.0.1:${port}`, 'content-type': 'application/json' },
    'POST',
    '{}',
  );
  expect(res.status).toBe(403);
  const body = JSON.parse(res.body) as { error: string; message: string };
  expect(body.error).toBe('bad-origin');
  expect(body.message).toContain(`http://127.0.0.1:${port}`);
  expect(body.message).toContain(`open ${server.publicUrl()}`);
});
