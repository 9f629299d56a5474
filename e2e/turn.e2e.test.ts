import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, waitForStreaming } from './lib/browser.ts';
import { setupAdminInBrowser, type BrowserUser } from './lib/passkeys.ts';
import { startTestServer, waitFor, type TestServer } from '../server/test/helpers.ts';

// A real coturn on loopback with `use-auth-secret` (TURN REST credentials). The viewer is
// forced to relay: its only candidates are coturn's; the server's host candidate is on loopback.
const SECRET = randomBytes(24).toString('base64url');

/** A free TCP/UDP port on loopback (coturn listens on both). */
async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

let coturn: ChildProcess;
let turnPort: number;
let tmp: string;
let browser: Browser;
beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-turn-'));
  turnPort = await freePort();
  coturn = spawn(
    'turnserver',
    [
      '-n',
      '--listening-ip=127.0.0.1',
      '--relay-ip=127.0.0.1',
      `--listening-port=${turnPort}`,
      '--min-port=49400',
      '--max-port=49500',
      '--use-auth-secret',
      `--static-auth-secret=${SECRET}`,
      '--realm=vitrine.test',
      '--no-tls',
      '--no-dtls',
      '--no-tcp-relay',
      '--allow-loopback-peers',
      '--no-multicast-peers',
      '--no-cli',
      `--userdb=${path.join(tmp, 'turndb')}`,
      `--pidfile=${path.join(tmp, 'turnserver.pid')}`,
      '--log-file=stdout',
      '--simple-log',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  coturn.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  coturn.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  await waitFor(
    'coturn listening',
    async () => {
      const s = net.connect(turnPort, '127.0.0.1');
      return new Promise<boolean>((resolve) => {
        s.on('connect', () => (s.destroy(), resolve(true)));
        s.on('error', () => resolve(false));
      });
    },
    10_000,
  );
  browser = await launchChromium();
}, 30_000);
afterAll(async () => {
  await browser?.close();
  coturn?.kill('SIGTERM');
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function launch(page: Page, server: TestServer): Promise<void> {
  await page.goto(`${server.publicUrl()}/apps`);
  await page.getByTestId('launch-diagnostics').click();
  await page.waitForURL(/\/session\//);
}

/** The candidate types of the pair the browser is using. */
async function selectedPair(page: Page): Promise<{ local: string; remote: string } | null> {
  return page.evaluate(async () => {
    const pc: RTCPeerConnection = (window as any).__vitrine.pc;
    const report = await pc.getStats();
    let pair: any;
    report.forEach((s: any) => {
      if (s.type === 'transport' && s.selectedCandidatePairId) pair = report.get(s.selectedCandidatePairId);
    });
    if (!pair) return null;
    return {
      local: (report.get(pair.localCandidateId) as any)?.candidateType,
      remote: (report.get(pair.remoteCandidateId) as any)?.candidateType,
    };
  });
}

describe.each([
  ['the shared secret', SECRET, true],
  ['a wrong secret', 'not-the-secret-at-all-0123456789', false],
] as const)('viewer forced through TURN with %s', (_what, secret, works) => {
  let server: TestServer;
  let admin: BrowserUser;
  beforeAll(async () => {
    server = await startTestServer(
      {
        TURN_URLS: `turn:127.0.0.1:${turnPort}?transport=udp`,
        TURN_SECRET: secret,
        TURN_TTL: '10m',
        ICE_TRANSPORT_POLICY: 'relay',
      },
      { registerOwner: false },
    );
    admin = await setupAdminInBrowser(browser, server);
  }, 30_000);
  afterAll(() => server?.close());

  it(
    works ? 'streams video through the relay' : 'fails cleanly, saying the relay refused the credentials',
    async () => {
      const page = await admin.context.newPage();
      await launch(page, server);
      if (works) {
        await waitForStreaming(page);
        const pair = await waitFor('a selected candidate pair', () => selectedPair(page));
        expect(pair.local).toBe('relay');
        const decoded = await waitFor('frames decoded through the relay', () =>
          page.evaluate(async () => {
            const report = await ((window as any).__vitrine.pc as RTCPeerConnection).getStats();
            let frames = 0;
            report.forEach((s: any) => {
              if (s.type === 'inbound-rtp' && s.kind === 'video') frames = s.framesDecoded;
            });
            return frames > 10 ? frames : null;
          }),
        );
        expect(decoded).toBeGreaterThan(10);
        // The credentials were made for this session, expire, and are not the secret.
        const offer = await page.evaluate(() => (window as any).__vitrine.pc.getConfiguration() as RTCConfiguration);
        const turn = offer.iceServers!.find((s) => String(s.urls).startsWith('turn:'))!;
        expect(turn.credential).not.toBe(SECRET);
        const expiry = Number(String(turn.username).split(':')[0]) * 1000;
        expect(expiry).toBeGreaterThan(Date.now());
        expect(expiry).toBeLessThanOrEqual(Date.now() + 10 * 60_000 + 5000);
        expect(offer.iceTransportPolicy).toBe('relay');
      } else {
        const message = page.getByTestId('viewer-message');
        await message.waitFor({ timeout: 30_000 });
        expect(await message.textContent()).toMatch(/media relay \(TURN\) refused this session: 401/);
      }
      await page.close();
    },
    60_000,
  );
});
