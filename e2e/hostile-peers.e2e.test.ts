import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Browser, Page } from 'playwright-core';
import { MAX_SIGNAL_BYTES, type SessionInfo } from '@vitrine/protocol';
import { launchChromium, waitForStreaming } from './lib/browser.ts';
import { setupAdminInBrowser, type BrowserUser } from './lib/passkeys.ts';
import { api, startTestServer, waitFor, type TestServer } from '../server/test/helpers.ts';

// Hostile peers at live sessions: a real browser floods its input data channel with thousands of
// malformed packets, and raw sockets throw malformed signaling at another session. The server
// must stay up with bounded memory, a bystander must keep streaming, attacked sessions must work.
let server: TestServer;
let browser: Browser;
let admin: BrowserUser;
beforeAll(async () => {
  server = await startTestServer({ MAX_SESSIONS_PER_USER: '3', LOG_LEVEL: 'fatal' }, { registerOwner: false });
  browser = await launchChromium();
  admin = await setupAdminInBrowser(browser, server);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function launch(page: Page): Promise<string> {
  await page.goto(`${server.publicUrl()}/apps`);
  await page.getByTestId('launch-diagnostics').click();
  await page.waitForURL(/\/session\//);
  await waitForStreaming(page);
  return page.evaluate(() => (window as any).__vitrine.sessionId as string);
}

const framesDecoded = (page: Page) =>
  page.evaluate(async () => {
    const report = await ((window as any).__vitrine.pc as RTCPeerConnection).getStats();
    let frames = 0;
    report.forEach((s: any) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video') frames = s.framesDecoded;
    });
    return frames;
  });

/** Malformed signaling: not JSON, wrong shapes and types, binary, deep nesting, oversize frames. */
function hostileSignal(i: number): string | Buffer {
  const pick = (n: number) => Math.floor(Math.random() * n);
  const junk = (n: number) => Buffer.from(Array.from({ length: n }, () => pick(256)));
  const shapes: Array<() => string | Buffer> = [
    () => junk(1 + pick(200)).toString('latin1'),
    () =>
      JSON.stringify({ type: ['answer', 'ice-candidate', 'offer', 'x', 7][pick(5)], sdp: junk(40).toString('hex') }),
    () =>
      JSON.stringify({
        type: 'ice-candidate',
        candidate: { candidate: 'candidate:1 1 udp 1 203.0.113.1 9 typ host', sdpMid: 7 },
      }),
    () => '['.repeat(5000) + ']'.repeat(5000),
    () => junk(1 + pick(100)),
    () => JSON.stringify({ type: 'answer', sdp: 'v=0\r\n' + 'a=x\r\n'.repeat(1000) }),
    () => 'x'.repeat(MAX_SIGNAL_BYTES + 1),
  ];
  return shapes[i % shapes.length]!();
}

it('survives ≥10,000 hostile input packets and signaling messages; every session keeps working', async () => {
  const attackerPage = await admin.context.newPage();
  const bystanderPage = await admin.context.newPage();
  const attacked = await launch(attackerPage);
  await launch(bystanderPage);
  const signaled = (await api<SessionInfo>(admin.api, 'POST', '/api/sessions', { appId: 'diagnostics' })).body.id;
  const memoryBefore = process.memoryUsage().rss;
  const bystanderBefore = await framesDecoded(bystanderPage);

  // 1. The data channel, from the browser: junk, known opcodes with wrong lengths, unknown
  //    opcodes, huge coordinates and valid moves, far faster than the input rate limit.
  const INPUT = 9600;
  const sentMs = await attackerPage.evaluate(async (n) => {
    const dc: RTCDataChannel = (window as any).__vitrine.dc;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      while (dc.bufferedAmount > 65536) await new Promise((r) => setTimeout(r, 1));
      let b: Uint8Array<ArrayBuffer>;
      switch (i % 5) {
        case 0:
          b = crypto.getRandomValues(new Uint8Array(Math.floor(Math.random() * 64)));
          break;
        case 1:
          b = crypto.getRandomValues(new Uint8Array(1 + Math.floor(Math.random() * 12)));
          b[0] = Math.floor(Math.random() * 10);
          break;
        case 2:
          b = new Uint8Array([0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
          break;
        case 3:
          b = new Uint8Array([9 + Math.floor(Math.random() * 246)]);
          break;
        default:
          b = new Uint8Array([0x01, 0, 10, 0, 10]);
      }
      dc.send(b);
    }
    return performance.now() - t0;
  }, INPUT);

  // 2. Signaling: raw sockets at a session without a viewer, up to 6 hostile frames each.
  let signals = 0;
  const closes = new Map<number, number>();
  for (let c = 0; c < 70; c++) {
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/api/sessions/${signaled}/signal`, {
      headers: { cookie: admin.api.cookie },
    });
    ws.on('error', () => {});
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    await new Promise<void>((resolve) => ws.on('open', () => resolve()));
    for (let k = 0; k < 6 && ws.readyState === ws.OPEN; k++) ws.send(hostileSignal(signals++));
    const code = await closed;
    closes.set(code, (closes.get(code) ?? 0) + 1);
  }
  expect(INPUT + signals).toBeGreaterThanOrEqual(10_000);
  // Each hostile socket was closed by the server with a reason: abuse (4400) or oversize (1009).
  expect(
    [...closes.keys()].every((code) => code === 4400 || code === 1009),
    JSON.stringify([...closes]),
  ).toBe(true);

  // Every packet was counted (accepted, rejected or over the rate limit) and the attacked session
  // still streams and takes input; so does the bystander; the fuzzed session still takes a viewer.
  const stats = await waitFor(
    'the flood counted',
    async () => {
      const s = (
        await api<{ input: { accepted: number; rejected: number; rateLimited: number } }>(
          admin.api,
          'GET',
          `/api/sessions/${attacked}/stats`,
        )
      ).body.input;
      return s.accepted + s.rejected + s.rateLimited >= INPUT ? s : null;
    },
    30_000,
  );
  // The rate limit is checked first: what fits in it is validated, and most of the bad part refused.
  expect(stats.rateLimited).toBeGreaterThan(INPUT / 2);
  expect(stats.rejected).toBeGreaterThan(stats.accepted);
  expect(await attackerPage.evaluate(() => (window as any).__vitrine.state)).toBe('streaming');
  const attackedFrames = await framesDecoded(attackerPage);
  await waitFor(
    'the attacked session still streams',
    async () => (await framesDecoded(attackerPage)) > attackedFrames + 10,
  );
  await waitFor(
    'the bystander kept streaming',
    async () => (await framesDecoded(bystanderPage)) > bystanderBefore + 50,
  );
  const lateViewer = await admin.context.newPage();
  await lateViewer.goto(`${server.publicUrl()}/session/${signaled}`);
  await waitForStreaming(lateViewer);
  expect((await api(admin.api, 'GET', '/api/status')).status).toBe(200);
  const grownMiB = (process.memoryUsage().rss - memoryBefore) / 2 ** 20;
  console.log(
    `hostile peers: ${INPUT} input packets in ${Math.round(sentMs)} ms (${stats.rejected} rejected, ${stats.rateLimited} over the rate limit), ` +
      `${signals} signaling frames on 70 sockets; server RSS grew ${grownMiB.toFixed(0)} MiB`,
  );
  expect(grownMiB).toBeLessThan(200);
  for (const p of [attackerPage, bystanderPage, lateViewer]) await p.close();
  const live = (await api<Array<{ id: string }>>(admin.api, 'GET', '/api/sessions')).body;
  await Promise.all(live.map((s) => api(admin.api, 'DELETE', `/api/sessions/${s.id}`)));
}, 180_000);
