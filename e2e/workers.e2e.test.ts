import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { SessionInfo } from '@vitrine/protocol';
import { decodeShownFrame, inboundVideo, launchChromium, waitForStreaming } from './lib/browser.ts';
import { registerInBrowser, type BrowserUser } from './lib/passkeys.ts';
import { artifactPath, shootOnFailure } from './lib/screenshots.ts';
import { startVitrineFleet, type VitrineFleet } from '../server/test/vitrine-fleet.ts';
import { api, waitFor } from '../server/test/helpers.ts';

// A multi-node install as a person meets it: the API tier on one machine, two session workers on
// two others (network namespaces on one host), a real Chromium outside them all. The picture comes
// from a worker; the worker running it loses power; the page opens the app again on the other
// worker by itself and streams. Pictures go to test-artifacts/workers/.

const SUITE = 'workers';
const SIZE = { width: 1920, height: 1080 };
let fleet: VitrineFleet;
let browser: Browser;
let owner: BrowserUser;

beforeAll(async () => {
  fleet = await startVitrineFleet({ workers: 2 });
  const apiHost = fleet.lab.machines[0]!;
  // Chromium stays in this namespace and reaches the machines through the lab's bridge.
  browser = await launchChromium(undefined, [
    `--host-resolver-rules=MAP vitrine-fleet.test ${apiHost.ip}`,
    `--unsafely-treat-insecure-origin-as-secure=${fleet.publicUrl}`,
  ]);
  owner = await registerInBrowser(
    browser,
    fleet.setupLink,
    { displayName: 'Ada Admin', email: 'ada@example.test' },
    { apiUrl: fleet.apiUrl, viewport: SIZE },
  );
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await fleet?.stop();
}, 60_000);

const sessionIdOf = (page: Page) => page.evaluate(() => (window as any).__vitrine?.sessionId as string | null);

/** The local and remote addresses of the ICE pair the page's media flows on. */
const selectedPair = (page: Page) =>
  page.evaluate(async () => {
    const report = await ((window as any).__vitrine.pc as RTCPeerConnection).getStats();
    let pairId: string | undefined;
    report.forEach((s: any) => {
      if (s.type === 'transport' && s.selectedCandidatePairId) pairId = s.selectedCandidatePairId;
    });
    const pair = pairId ? (report.get(pairId) as any) : undefined;
    if (!pair) return null;
    const local = report.get(pair.localCandidateId) as any;
    const remote = report.get(pair.remoteCandidateId) as any;
    return { local: local?.address as string, remote: remote?.address as string };
  });

/** The page shows the diagnostics picture, decoded from video that keeps arriving. */
async function showsLivePicture(page: Page): Promise<void> {
  await waitFor('the diagnostics picture', () => decodeShownFrame(page), 15_000);
  const first = await inboundVideo(page);
  expect(first.framesDecoded).toBeGreaterThan(0);
  await waitFor('more decoded frames', async () => (await inboundVideo(page)).framesDecoded > first.framesDecoded);
}

/** Which worker runs `id`, as the API tells an admin. */
async function workerOf(id: string): Promise<string> {
  const stats = await api<{ worker?: string }>(owner.api, 'GET', `/api/sessions/${id}/stats`);
  expect(stats.status).toBe(200);
  return stats.body.worker!;
}

it('streams from a worker and, when that worker dies, opens the app again on the other one by itself', async () => {
  const page = owner.page;
  shootOnFailure(page, SUITE);
  const sockets: string[] = [];
  page.on('websocket', (ws) => sockets.push(ws.url()));
  const signalHost = (id: string) =>
    sockets.filter((u) => u.includes(`/api/sessions/${id}/signal`)).map((u) => new URL(u).host);

  await page.goto(`${fleet.publicUrl}/apps`);
  await page.getByTestId('launch-diagnostics').click();
  await page.waitForURL(/\/session\//);
  await waitForStreaming(page, 30_000);
  const first = (await sessionIdOf(page))!;
  await showsLivePicture(page);
  const firstWorker = await workerOf(first);
  expect(['w1', 'w2']).toContain(firstWorker);
  const ipOf = (w: string) => fleet.lab.machines[Number(w.slice(1))]!.ip;
  // The page signalled to the worker itself, and the media flows over the bridge.
  expect(signalHost(first)).toEqual([`${ipOf(firstWorker)}:8090`]);
  expect(await selectedPair(page)).toEqual({ local: fleet.lab.hostIp, remote: ipOf(firstWorker) });
  await page.getByTestId('viewer-progress').waitFor({ state: 'detached' });
  await page.screenshot({ path: artifactPath(SUITE, 'streaming-before-kill') });

  // The worker loses power. What the page says meanwhile, in order, each once.
  const killedAt = Date.now();
  fleet.workers.get(firstWorker)!.kill();
  const covers: string[] = [];
  let gapShot = false;
  const cover = page.getByTestId('viewer-progress');
  await waitFor(
    'the app opened again',
    async () => {
      const kind = await cover.getAttribute('data-kind', { timeout: 50 }).catch(() => null);
      if (kind) {
        const said = `${kind}: ${(await cover.innerText({ timeout: 50 }).catch(() => '')).trim()}`;
        if (covers.at(-1) !== said) covers.push(said);
        if (kind === 'reconnecting' && !gapShot) {
          gapShot = true;
          await page.screenshot({ path: artifactPath(SUITE, 'worker-lost-reconnecting') });
        }
      }
      const now = await sessionIdOf(page);
      return now !== null && now !== first;
    },
    20_000,
    100,
  );
  const second = (await sessionIdOf(page))!;
  expect(page.url()).toContain(`/session/${second}`);
  await waitForStreaming(page, 20_000);
  const recoveredMs = Date.now() - killedAt;
  expect(recoveredMs).toBeLessThan(20_000);
  await showsLivePicture(page);
  const secondWorker = await workerOf(second);
  expect(secondWorker).not.toBe(firstWorker);
  expect(signalHost(second)).toEqual([`${ipOf(secondWorker)}:8090`]);
  expect(await selectedPair(page)).toEqual({ local: fleet.lab.hostIp, remote: ipOf(secondWorker) });
  const old = await api<SessionInfo>(owner.api, 'GET', `/api/sessions/${first}`);
  expect(old.body).toMatchObject({ state: 'ended', endReason: 'worker lost' });
  // Said meanwhile: an interruption being mended, then the app opening again; afterwards, why.
  expect(covers[0]).toBe('reconnecting: The connection was interrupted. Reconnecting…');
  // Then "Opening Diagnostics again…" and "Connecting…", sometimes too briefly for a 100 ms poll to
  // see; no error is shown at any point (checked below).
  await cover.waitFor({ state: 'detached' });
  expect(await page.getByTestId('viewer-notice').innerText()).toBe(
    'The server running this session stopped, so this was opened again.',
  );
  expect(await page.getByTestId('viewer-message').count()).toBe(0);
  await page.screenshot({ path: artifactPath(SUITE, 'streaming-after-recovery') });
  console.log(
    `[workers] ${firstWorker} lost, streaming from ${secondWorker} after ${recoveredMs} ms: ${covers.join(' | ')}`,
  );
}, 90_000);
