import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, waitForStreaming } from './lib/browser.ts';
import { registerInBrowser, type BrowserUser } from './lib/passkeys.ts';
import { createShapedLink, startServerInLab, type LabServer, type ShapedLink } from './lib/shaped-link.ts';
import { waitFor } from '../server/test/helpers.ts';

// The connection self-test page against a real server in the shaped-link lab (192.0.2.1 server,
// 192.0.2.2 Chromium), with a real coturn in the server's namespace listening on UDP and TCP 3478
// and TLS 443 (a self-signed certificate made here; this Chromium alone ignores certificate
// errors). UDP is blocked with iptables in the client's namespace where a scenario says so.
const SECRET = randomBytes(24).toString('base64url');
const TURN_URLS = [
  'turn:192.0.2.1:3478?transport=udp',
  'turn:192.0.2.1:3478?transport=tcp',
  'turns:192.0.2.1:443?transport=tcp',
].join(',');

let lab: ShapedLink;
let tmp: string;
let coturn: ChildProcess;
let coturnLog = '';
let browser: Browser;

beforeAll(async () => {
  lab = createShapedLink();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-conntest-'));
  const cert = path.join(tmp, 'turn.crt');
  const key = path.join(tmp, 'turn.key');
  execFileSync('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=turn.vitrine-lab.test',
    '-keyout',
    key,
    '-out',
    cert,
  ]);
  coturn = spawn(
    'nsenter',
    [
      `--net=/var/run/netns/${lab.serverNs}`,
      'turnserver',
      '-n',
      `--listening-ip=${lab.serverIp}`,
      `--relay-ip=${lab.serverIp}`,
      '--listening-port=3478',
      '--tls-listening-port=443',
      `--cert=${cert}`,
      `--pkey=${key}`,
      '--min-port=49400',
      '--max-port=49500',
      '--use-auth-secret',
      `--static-auth-secret=${SECRET}`,
      '--realm=vitrine.test',
      '--no-dtls',
      '--no-tcp-relay',
      '--no-multicast-peers',
      '--no-cli',
      `--userdb=${path.join(tmp, 'turndb')}`,
      `--pidfile=${path.join(tmp, 'turnserver.pid')}`,
      '--log-file=stdout',
      '--simple-log',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  coturn.stdout!.on('data', (d: Buffer) => (coturnLog += d.toString()));
  coturn.stderr!.on('data', (d: Buffer) => (coturnLog += d.toString()));
  const listening = (port: number) => {
    try {
      execFileSync('ip', ['netns', 'exec', lab.serverNs, 'bash', '-c', `exec 3<>/dev/tcp/${lab.serverIp}/${port}`], {
        stdio: 'ignore',
      });
      return true;
    } catch {
      return false;
    }
  };
  await waitFor('coturn listening on TCP and TLS', () => listening(3478) && listening(443), 10_000, 100);
}, 60_000);

afterAll(async () => {
  await browser?.close().catch(() => {});
  coturn?.kill('SIGTERM');
  lab?.destroy();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

interface PageResult {
  cause: string;
  path: string;
  local: string;
  protocol: string;
  remote: string;
  rtt: string;
  pairRtt: string;
  throughput: string;
  loss: string;
  diagnosis: string;
  seconds: number;
}

/** Runs the self-test on its page and reads what the page says. */
async function runSelfTest(page: Page, origin: string): Promise<PageResult> {
  if (!page.url().endsWith('/connection-test')) await page.goto(`${origin}/connection-test`);
  const started = Date.now();
  await page.getByTestId('run-connection-test').click();
  const result = page.getByTestId('connection-test-result');
  await result.waitFor({ timeout: 20_000 });
  const cell = (id: string) => page.getByTestId(`connection-test-${id}`).innerText();
  const out: PageResult = {
    cause: (await result.getAttribute('data-cause')) ?? '',
    path: await cell('path'),
    local: await cell('local-type'),
    protocol: await cell('protocol'),
    remote: await cell('remote-type'),
    rtt: await cell('rtt'),
    pairRtt: await cell('pair-rtt'),
    throughput: await cell('throughput'),
    loss: await cell('loss'),
    diagnosis: await cell('diagnosis'),
    seconds: (Date.now() - started) / 1000,
  };
  const details = await page.getByTestId('connection-test-details').textContent();
  console.info(`self-test: ${JSON.stringify(out)}`);
  if (process.env.SELF_TEST_DETAILS) console.info(details);
  return out;
}

/** The candidate pair the viewer's session uses. */
async function sessionPair(page: Page) {
  return page.evaluate(async () => {
    const report = await ((window as any).__vitrine.pc as RTCPeerConnection).getStats();
    let pair: any;
    report.forEach((s: any) => {
      if (s.type === 'transport' && s.selectedCandidatePairId) pair = report.get(s.selectedCandidatePairId);
    });
    const local: any = pair && report.get(pair.localCandidateId);
    return local
      ? { type: local.candidateType as string, relayProtocol: local.relayProtocol as string | undefined }
      : null;
  });
}

/** A session streams through the relay, reached over one of `over` (Chromium picks among them). */
async function streamsThroughRelay(page: Page, origin: string, over: ('tcp' | 'tls')[]) {
  await page.goto(`${origin}/apps`);
  await page.getByTestId('launch-diagnostics').click();
  await waitForStreaming(page, 30_000);
  const pair = await waitFor('the session selected a pair', () => sessionPair(page));
  expect(pair.type).toBe('relay');
  expect(over).toContain(pair.relayProtocol);
  await page.getByTestId('end-session').click();
  await page.getByTestId('viewer-message').waitFor();
}

/** A server in the lab, its first owner signed in on a page of the lab's Chromium. */
function withServer(env: Record<string, string>, body: (ctx: () => { server: LabServer; owner: BrowserUser }) => void) {
  let server: LabServer;
  let owner: BrowserUser;
  beforeAll(async () => {
    server = await startServerInLab(lab, env);
    // One Chromium for the file; it trusts coturn's self-signed TLS certificate (this browser only).
    browser ??= await launchChromium(server.chromiumWrapper, [...server.chromiumArgs, '--ignore-certificate-errors']);
    owner = await registerInBrowser(
      browser,
      server.setupLink,
      { displayName: 'Net', email: 'net@example.test' },
      { apiUrl: server.origin },
    );
  }, 60_000);
  afterAll(async () => {
    lab.blockClient({});
    await owner?.context.close().catch(() => {});
    await server?.stop();
  });
  body(() => ({ server, owner }));
}

describe('TURN on UDP, TCP and TLS', () => {
  withServer({ TURN_URLS, TURN_SECRET: SECRET, TURN_TTL: '10m' }, (ctx) => {
    it('reports a direct UDP pair with round trip, throughput and loss on a clean link', async () => {
      const { server, owner } = ctx();
      const page = owner.page;
      await page.goto(`${server.origin}/apps`);
      await page.getByTestId('nav-connection-test').click();
      await page.waitForURL(/\/connection-test$/);
      const r = await runSelfTest(page, server.origin);
      expect(r.cause).toBe('direct');
      // Chromium hides its host addresses from pages without camera permission: a direct pair
      // shows as the browser's reflexive address (learned from the TURN server's STUN), no relay.
      expect(['host', 'srflx']).toContain(r.local);
      expect(r).toMatchObject({ protocol: 'udp', remote: 'host' });
      expect(r.path).toMatch(/^direct .* over UDP$/);
      expect(r.diagnosis).toMatch(/Direct connection/);
      expect(Number(/^([\d.]+) ms$/.exec(r.rtt)?.[1])).toBeLessThan(200);
      expect(Number(/^(\d+) kbit\/s/.exec(r.throughput)?.[1])).toBeGreaterThan(500);
      const loss = /^([\d.]+) % \((\d+) of (\d+) probe messages arrived\)$/.exec(r.loss);
      expect(loss).not.toBeNull();
      expect(Number(loss![3])).toBeGreaterThan(100);
      expect(Number(loss![1])).toBeLessThan(5);
    });

    it('names UDP blocked and connects through TURN over TCP, where a session streams too', async () => {
      const { server, owner } = ctx();
      lab.blockClient({ udp: true });
      const r = await runSelfTest(owner.page, server.origin);
      expect(r.cause).toBe('udp-blocked');
      expect(r.diagnosis).toMatch(/UDP blocked/);
      expect(r.diagnosis).toMatch(/WEBRTC_UDP_PORTS/);
      expect(r).toMatchObject({ local: 'relay', protocol: 'tcp' });
      expect(r.throughput).toMatch(/kbit\/s/);
      await streamsThroughRelay(owner.page, server.origin, ['tcp', 'tls']);
    });

    it('connects through TURN over TLS when TCP 3478 is blocked as well, where a session streams too', async () => {
      const { server, owner } = ctx();
      lab.blockClient({ udp: true, tcpPorts: [3478] });
      const r = await runSelfTest(owner.page, server.origin);
      expect(r.cause).toBe('udp-blocked');
      expect(r).toMatchObject({ local: 'relay', protocol: 'tls' });
      await streamsThroughRelay(owner.page, server.origin, ['tls']);
    });
  });
});

describe('a wrong WEBRTC_PUBLIC_IP', () => {
  withServer({ WEBRTC_PUBLIC_IP: '203.0.113.77' }, (ctx) => {
    it('names the wrong public address', async () => {
      const { server, owner } = ctx();
      const r = await runSelfTest(owner.page, server.origin);
      expect(r.cause).toBe('wrong-public-address');
      expect(r.diagnosis).toMatch(/Wrong public address/);
      expect(r.diagnosis).toMatch(/203\.0\.113\.77/);
      expect(r.diagnosis).toMatch(/WEBRTC_PUBLIC_IP/);
    });
  });
});

describe('TURN refusing the credentials', () => {
  withServer({ TURN_URLS, TURN_SECRET: 'not-the-secret-at-all-0123456789', TURN_TTL: '10m' }, (ctx) => {
    it('names TURN refused', async () => {
      const { server, owner } = ctx();
      const r = await runSelfTest(owner.page, server.origin);
      expect(r.cause).toBe('turn-refused');
      expect(r.diagnosis).toMatch(/TURN refused/);
      expect(r.diagnosis).toMatch(/401/);
      expect(r.diagnosis).toMatch(/TURN_SECRET/);
    });
  });
});
