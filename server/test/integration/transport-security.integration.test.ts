import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedShare, SessionInfo } from '@vitrine/protocol';
import { api, startTestServer, waitFor, type TestServer } from '../helpers.ts';
import { register, type TestUser } from '../auth-client.ts';
import { WeriftViewer } from '../werift-viewer.ts';
import { loadConfig } from '../../src/config/config.ts';

describe('signaling cannot be hijacked with a session id', () => {
  let server: TestServer;
  let other: TestUser;
  beforeAll(async () => {
    server = await startTestServer();
    const invite = await api<{ link: string }>(server.owner, 'POST', '/api/admin/invitations', {
      email: 'mallory@example.test',
    });
    other = await register(server.url, server.publicUrl(), invite.body.link, { displayName: 'Mallory' });
  }, 30_000);
  afterAll(() => server?.close());

  it('refuses, before the upgrade, a viewer without a cookie, with another user’s cookie or from another origin', async () => {
    const { body } = await api<SessionInfo>(server.owner, 'POST', '/api/sessions', { appId: 'diagnostics' });
    const anonymous = new WeriftViewer(server.url, body.id);
    expect(await anonymous.refused).toBe(401);
    const stranger = new WeriftViewer(other, body.id);
    expect(await stranger.refused).toBe(404);
    const foreign = new WeriftViewer({ ...server.owner, origin: 'https://evil.example' }, body.id);
    expect(await foreign.refused).toBe(403);
    // None of them took the session's one viewer slot: the owner still attaches and gets video.
    const viewer = new WeriftViewer(server.owner, body.id);
    expect(await viewer.refused).toBeUndefined();
    await waitFor('video', () => viewer.rtpPackets > 0);
    // Input arrives only on the data channel: text on the signaling socket is not input.
    viewer.sendRaw(JSON.stringify({ type: 'input', data: [1, 2, 3] }));
    await waitFor('an error for it', () => viewer.messages.some((m) => m.type === 'error'));
    const stats = (await api<{ input: { accepted: number } }>(server.owner, 'GET', `/api/sessions/${body.id}/stats`))
      .body;
    expect(stats.input.accepted).toBe(0);
    await viewer.close();
    await api(server.owner, 'DELETE', `/api/sessions/${body.id}`);
    // The refusals are on the audit trail.
    await server.audit.flush();
    const trail = await api<{ events: Array<{ outcome: string; actor: { id: string | null } }> }>(
      server.owner,
      'GET',
      `/api/audit?scope=server&action=session.connect`,
    );
    expect(trail.body.events.filter((e) => e.outcome === 'denied').map((e) => e.actor.id)).toEqual(
      expect.arrayContaining([null, other.me.id]),
    );
  }, 30_000);

  it('a client cannot watch a session the owner started on the same share', async () => {
    await api(server.owner, 'POST', '/api/files/folders', { path: 'S' });
    const share = (
      await api<CreatedShare>(server.owner, 'POST', '/api/shares', {
        clientEmail: 'c@example.test',
        paths: [{ path: 'S', access: 'view' }],
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      })
    ).body;
    const client = await register(server.url, server.publicUrl(), share.invitation.link, { displayName: 'C' });
    const { body } = await api<SessionInfo>(server.owner, 'POST', '/api/sessions', { appId: 'diagnostics' });
    expect(await new WeriftViewer(client, body.id).refused).toBe(404);
    await api(server.owner, 'DELETE', `/api/sessions/${body.id}`);
  });
});

/** A throw-away CA and a certificate for localhost and 127.0.0.1 signed by it. */
function makeCertificates(dir: string): { ca: string; cert: string; key: string } {
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-days',
    '2',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-subj',
    '/CN=Vitrine test CA',
  );
  run(
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
    '-subj',
    '/CN=localhost',
  );
  fs.writeFileSync(path.join(dir, 'ext.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  run(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.pem',
    '-days',
    '2',
    '-extfile',
    'ext.cnf',
  );
  return { ca: path.join(dir, 'ca.pem'), cert: path.join(dir, 'server.pem'), key: path.join(dir, 'server.key') };
}

describe('TLS', () => {
  let dir: string;
  let certs: ReturnType<typeof makeCertificates>;
  let server: TestServer;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-tls-'));
    certs = makeCertificates(dir);
    // Trust the test CA in this process (fetch, ws), as a browser would trust a real one.
    tls.setDefaultCACertificates([...tls.getCACertificates('default'), fs.readFileSync(certs.ca, 'utf8')]);
    server = await startTestServer({ TLS_CERT: certs.cert, TLS_KEY: certs.key, HTTP_HEADERS_TIMEOUT: '2s' });
  }, 30_000);
  afterAll(async () => {
    await server?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves HTTPS with HSTS, a __Host- Secure cookie, and streams over WSS', async () => {
    expect(server.url).toMatch(/^https:/);
    const res = await fetch(`${server.url}/api/status`, { headers: { cookie: server.owner.cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get('strict-transport-security')).toBe('max-age=31536000');
    expect(server.owner.cookie).toMatch(/^__Host-vitrine_session=/);
    const { body } = await api<SessionInfo>(server.owner, 'POST', '/api/sessions', { appId: 'diagnostics' });
    const viewer = new WeriftViewer(server.owner, body.id);
    expect(await viewer.refused).toBeUndefined();
    await waitFor('video over a WSS-signaled session', () => viewer.rtpPackets > 0);
    await viewer.close();
    await api(server.owner, 'DELETE', `/api/sessions/${body.id}`);
  }, 30_000);

  it('speaks TLS 1.3 only: a TLS 1.2 client is refused, and a silent connection is closed', async () => {
    const port = Number(new URL(server.url).port);
    const handshake = (maxVersion: tls.SecureVersion) =>
      new Promise<string>((resolve) => {
        const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', maxVersion });
        socket.once('secureConnect', () => {
          resolve(`connected ${socket.getProtocol()}`);
          socket.destroy();
        });
        socket.once('error', (err: NodeJS.ErrnoException) => resolve(`refused ${err.code}`));
      });
    expect(await handshake('TLSv1.2')).toMatch(/^refused ERR_SSL_(TLSV1_ALERT_PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL)/);
    expect(await handshake('TLSv1.3')).toBe('connected TLSv1.3');
    // A connection that never starts its handshake is closed after the headers timeout (2 s here).
    const opened = performance.now();
    const silent = net.connect(port, '127.0.0.1');
    silent.on('error', () => {});
    await new Promise((resolve) => silent.once('close', resolve));
    expect(performance.now() - opened).toBeGreaterThanOrEqual(1900);
    expect(performance.now() - opened).toBeLessThan(10_000);
  }, 30_000);

  it('does not answer plain HTTP on the TLS port', async () => {
    const port = new URL(server.url).port;
    const outcome = await new Promise<string>((resolve) => {
      const req = http.get(`http://127.0.0.1:${port}/api/status`, (r) => resolve(`status ${r.statusCode}`));
      req.on('error', (err) => resolve(`error ${(err as NodeJS.ErrnoException).code}`));
      req.setTimeout(5000, () => req.destroy(new Error('timeout')));
    });
    expect(outcome).not.toMatch(/^status 2/);
  });
});

describe('refuses insecure configurations', () => {
  it('will not serve plain HTTP on a non-loopback address unless told a TLS proxy is in front', () => {
    const base = { RUNTIME_DIR: os.tmpdir() };
    expect(() => loadConfig({ ...base, HOST: '0.0.0.0' })).toThrow(/TLS is off.*ALLOW_INSECURE_HTTP=1/s);
    expect(() => loadConfig({ ...base, HOST: '192.0.2.10' })).toThrow(/HOST/);
    expect(loadConfig({ ...base, HOST: '0.0.0.0', ALLOW_INSECURE_HTTP: '1' }).http.host).toBe('0.0.0.0');
    expect(loadConfig({ ...base, HOST: '127.0.0.1' }).http.publicUrl).toMatch(/^http:\/\/localhost:/);
    expect(() => loadConfig({ ...base, TURN_URLS: 'turn:t.example:3478' })).toThrow(/TURN_URLS, TURN_SECRET: set both/);
    expect(() => loadConfig({ ...base, TURN_URLS: 'http://x', TURN_SECRET: 'x'.repeat(20) })).toThrow(
      /turn: or turns:/,
    );
    expect(() => loadConfig({ ...base, TURN_URLS: 'turn:t.example', TURN_SECRET: 'short' })).toThrow(/at least 16/);
    expect(() => loadConfig({ ...base, ICE_TRANSPORT_POLICY: 'relay' })).toThrow(/relay needs a TURN server/);
    expect(() => loadConfig({ ...base, TLS_CERT: '/nonexistent.pem' })).toThrow(/set both/);
    expect(() => loadConfig({ ...base, TLS_CERT: '/nonexistent.pem', TLS_KEY: '/nonexistent.key' })).toThrow(
      /does not exist/,
    );
  });
});
