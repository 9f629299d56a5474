/**
 * Replaying a recorded session in Chromium (issue 17): the client uses a recorded share for a few
 * seconds; its owner finds the recording under Recordings, plays it (the video advances and shows
 * a picture), scrubs on the one wall-clock bar, jumps to an event from the list, and reaches the
 * same player from the Audit page's session timeline; a changed segment is shown as an error, and
 * the recording can be removed. A client gets neither page nor data.
 * E2E_SHOTS=<folder> keeps pictures of the list and the player at two sizes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { RecordingDetail, RecordingList } from '@vitrine/protocol';
import { decodeShownFrame, waitForStreaming } from './lib/browser.ts';
import { openDiagnosticsLab, openRecordedShare, type DiagnosticsLab } from './lib/diagnostics-lab.ts';
import { shotAtBothSizes } from './lib/screenshots.ts';
import type { BrowserUser } from './lib/passkeys.ts';
import { api, type TestServer } from '../server/test/helpers.ts';
import {
  fractionOf,
  positionAt,
  replayTimeline,
  wallAt,
  wallAtFraction,
  type ClipSpan,
} from '../web/src/recordings/replayTime.ts';

let lab: DiagnosticsLab;
let server: TestServer;
let owner: BrowserUser;
let client: BrowserUser;

beforeAll(async () => {
  lab = await openDiagnosticsLab({ RECORDING_SEGMENT: '2s' }, { width: 1920, height: 1080 });
  ({ server, owner } = lab);
}, 90_000);
afterAll(async () => {
  await lab?.close();
});

/** Pictures at both sizes (E2E_SHOTS), then back to the size the test runs at. */
const shot = (page: Page, name: string) => shotAtBothSizes(page, name, { width: 1920, height: 1080 });

/** The replay's video as the page has it: position, clip, and how much the shown frame varies. */
function videoState(page: Page) {
  return page.evaluate(() => {
    const v = document.querySelector<HTMLVideoElement>('[data-testid="replay-video"]')!;
    const w = v.videoWidth;
    const h = v.videoHeight;
    let variance = 0;
    if (w > 0 && h > 0) {
      const canvas = document.createElement('canvas');
      canvas.width = w;
      canvas.height = h;
      const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
      ctx.drawImage(v, 0, 0);
      const d = ctx.getImageData(0, 0, w, h).data;
      let n = 0;
      let sum = 0;
      let sq = 0;
      for (let i = 0; i < d.length; i += 4 * 97) {
        const y = 0.299 * d[i]! + 0.587 * d[i + 1]! + 0.114 * d[i + 2]!;
        sum += y;
        sq += y * y;
        n++;
      }
      variance = sq / n - (sum / n) ** 2;
    }
    return { currentTime: v.currentTime, paused: v.paused, clip: Number(v.dataset.clip), w, h, variance };
  });
}

const shownWall = async (page: Page) => Number(await page.getByTestId('replay-time').getAttribute('data-wall'));

/** Two clicks the app counts, a second and a half apart: a few seconds of use on record. */
async function useTheApp(cp: Page): Promise<void> {
  const box = (await cp.locator('video').boundingBox())!;
  for (let i = 0; i < 2; i++) {
    const before = (await decodeShownFrame(cp))?.toggles;
    await cp.mouse.click(box.x + box.width * (0.2 + i * 0.3), box.y + box.height * 0.5);
    await expect.poll(async () => (await decodeShownFrame(cp))?.toggles, { timeout: 10_000 }).not.toBe(before);
    await cp.waitForTimeout(1500); // time passing is what is being recorded
  }
}

/**
 * The client opens the recorded share, accepts the notice, uses the app, leaves the viewer for a
 * few seconds, comes back and uses it again, then ends the session.
 */
async function recordASession(): Promise<string> {
  const opened = await openRecordedShare(lab, { liveView: false, viewport: { width: 1440, height: 900 } });
  client = opened.client;
  const { sessionId } = opened;
  const cp = client.page;
  await useTheApp(cp);
  // The client leaves the viewer and comes back: nobody watched for a while, so the recording has
  // a gap and a second clip after it.
  await cp.goto(`${server.publicUrl()}/shared`);
  const state = async () => (await api<{ state: string }>(client.api, 'GET', `/api/sessions/${sessionId}`)).body.state;
  await expect.poll(state, { timeout: 15_000 }).toBe('ready');
  await cp.waitForTimeout(2500); // the gap
  await cp.goto(`${server.publicUrl()}/session/${sessionId}`);
  await waitForStreaming(cp, 30_000);
  await useTheApp(cp);
  await cp.getByTestId('end-session').click();
  await cp.getByTestId('viewer-message').waitFor();
  return sessionId;
}

it('lists, plays, scrubs, jumps to an event, opens from the audit timeline, shows tampering, removes', async () => {
  const sessionId = await recordASession();
  let rec: RecordingDetail | undefined;
  await expect
    .poll(
      async () => {
        const list = (await api<RecordingList>(owner.api, 'GET', `/api/recordings?sessionId=${sessionId}`)).body;
        const id = list.recordings[0]?.id;
        rec = id ? (await api<RecordingDetail>(owner.api, 'GET', `/api/recordings/${id}`)).body : undefined;
        return rec?.state;
      },
      { timeout: 20_000 },
    )
    .toBe('finished');
  const tl = replayTimeline(rec!);

  // The list: the session, whose, of which share, finished, with the space it takes.
  const op = owner.page;
  await op.goto(`${server.publicUrl()}/files`);
  await op.getByTestId('nav-recordings').click();
  const row = op.locator(`[data-testid="recording-row"][data-session-id="${sessionId}"]`);
  await row.waitFor();
  expect(await row.innerText()).toMatch(/Cleo Client[\s\S]*Deal room/);
  expect(await row.getByTestId('recording-state').getAttribute('data-state')).toBe('finished');
  expect(await row.getByTestId('recording-length').innerText()).toMatch(/^\d+ s$/);
  expect(await op.getByTestId('recordings-usage').innerText()).toMatch(/of 10 GiB recording space used/);
  await shot(op, 'replay-list');

  // Two clips with a gap between them, as the bar shows.
  expect(tl.clips.length).toBe(2);
  const [first, second] = tl.clips as [ClipSpan, ClipSpan];
  expect(second.start - first.end).toBeGreaterThan(1500);

  // The player: paused at the start; Play advances the video, which shows a real picture.
  await row.getByTestId('recording-play').click();
  await op.waitForURL(`**/recordings/${rec!.id}`);
  await op.waitForFunction(
    () => (document.querySelector<HTMLVideoElement>('[data-testid="replay-video"]')?.readyState ?? 0) >= 2,
  );
  expect(await op.getByTestId('replay-event').count()).toBe(rec!.events.length);
  expect(await op.getByTestId('replay-clip-range').count()).toBe(2);
  expect((await videoState(op)).paused).toBe(true);
  await op.getByTestId('replay-toggle').click();
  await expect.poll(async () => (await videoState(op)).currentTime, { timeout: 10_000 }).toBeGreaterThan(1);
  const playing = await videoState(op);
  expect(playing).toMatchObject({ paused: false, clip: first.clip });
  expect(playing.w).toBeGreaterThan(0);
  expect(playing.variance).toBeGreaterThan(100);
  expect(await op.getByTestId('replay-toggle').getAttribute('aria-label')).toBe('Pause');
  // The readout follows in wall-clock time.
  expect(Math.abs((await shownWall(op)) - wallAt(tl, 0, (await videoState(op)).currentTime))).toBeLessThan(1000);
  // When the first clip ends, the second plays (the gap is skipped), with a picture too.
  await expect
    .poll(async () => ((s) => s.clip === second.clip && !s.paused && s.currentTime > 0.5)(await videoState(op)), {
      timeout: 20_000,
    })
    .toBe(true);
  expect((await videoState(op)).variance).toBeGreaterThan(100);
  expect(Math.abs((await shownWall(op)) - wallAt(tl, 1, (await videoState(op)).currentTime))).toBeLessThan(1000);

  // Pause, then scrub: a click at 70 % of the bar shows that instant (or the next clip's start).
  await op.getByTestId('replay-toggle').click();
  const bar = (await op.getByTestId('replay-bar').boundingBox())!;
  const clickBar = (fraction: number) => op.mouse.click(bar.x + bar.width * fraction, bar.y + bar.height / 2);
  /** The readout and the video are at `wall`, shown by the clip and offset the time line says. */
  const showing = async (wall: number) => {
    const pos = positionAt(tl, wall)!;
    const expected = wallAt(tl, pos.index, pos.offset);
    await expect.poll(async () => Math.abs((await shownWall(op)) - expected)).toBeLessThan(300);
    await expect
      .poll(
        async () =>
          ((s) => s.clip === tl.clips[pos.index]!.clip && Math.abs(s.currentTime - pos.offset))(await videoState(op)),
        {
          timeout: 10_000,
        },
      )
      .toBeLessThan(0.3);
    return expected;
  };
  // The bar from the keyboard: Home goes back to the start.
  await op.getByTestId('replay-bar').focus();
  await op.keyboard.press('Home');
  await showing(tl.start);
  const readout = await op.getByTestId('replay-time').innerText();
  await clickBar(0.7);
  const scrubbed = await showing(wallAtFraction(tl, 0.7));
  expect(await op.getByTestId('replay-time').innerText()).not.toBe(readout);
  expect(await op.getByTestId('replay-bar').getAttribute('aria-valuetext')).toBe(
    await op.getByTestId('replay-time').innerText(),
  );

  // An event from the list (in the first clip): playback jumps there, and it is the current one.
  const events = op.getByTestId('replay-event');
  const firstClick = events.filter({ hasText: 'The client clicked' }).first();
  const at = Date.parse((await firstClick.getAttribute('data-at'))!);
  expect(at).toBeLessThan(first.end);
  expect(at).toBeLessThan(scrubbed);
  await firstClick.click();
  await showing(at);
  await expect.poll(() => firstClick.getAttribute('data-current')).toBe('true');
  expect(await op.locator('[data-testid="replay-event"][data-current="true"]').count()).toBe(1);
  // Playing on from there moves the highlight to later events as it passes them.
  await op.getByTestId('replay-toggle').click();
  await expect.poll(() => firstClick.getAttribute('data-current'), { timeout: 10_000 }).toBe('false');
  await op.getByTestId('replay-toggle').click();
  // An instant in the gap shows the second clip's start.
  await clickBar(fractionOf(tl, (first.end + second.start) / 2));
  expect(await showing((first.end + second.start) / 2)).toBe(second.start);
  await shot(op, 'replay-player');

  // From the Audit page: the session's timeline offers the recording.
  await op.getByTestId('nav-audit').click();
  await op
    .locator('[data-testid="activity-row"][data-action="session.launch"]')
    .first()
    .getByTestId('audit-timeline-open')
    .click();
  await op.getByTestId('audit-timeline-play').click();
  await op.waitForURL(`**/recordings/${rec!.id}`);
  await op.getByTestId('replay-video').waitFor();

  // The client: no page (sent to their own), no data.
  const cp = client.page;
  await cp.goto(`${server.publicUrl()}/recordings/${rec!.id}`);
  await cp.waitForURL('**/shared');
  expect(await cp.getByTestId('replay-page').count()).toBe(0);
  const statuses = await cp.evaluate(async (id) => {
    const get = async (p: string) => (await fetch(p)).status;
    return [
      await get('/api/recordings'),
      await get(`/api/recordings/${id}`),
      await get(`/api/recordings/${id}/clips/0`),
    ];
  }, rec!.id);
  expect(statuses).toEqual([403, 404, 404]);

  // A segment changed on disk: the player says so (it is evidence) instead of playing it.
  const ownerId = (await api<{ id: string }>(owner.api, 'GET', '/api/auth/me')).body.id;
  const dir = path.join(server.config.recordings.dir, ownerId, rec!.id);
  const segment = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .sort()[0]!;
  fs.appendFileSync(path.join(dir, segment), Buffer.from([0x47]));
  await op.reload();
  const problem = op.getByTestId('replay-error');
  await problem.waitFor();
  expect(await problem.innerText()).toMatch(/cannot be played: segment 0 of this recording was changed/);
  await shot(op, 'replay-tampered');

  // Removing it, after confirming: gone from the list and from the server.
  await op.getByTestId('nav-recordings').click();
  await row.getByTestId('recording-remove').click();
  await op.getByTestId('dialog-confirm').click();
  await row.waitFor({ state: 'detached' });
  expect(await op.getByTestId('recordings-empty').isVisible()).toBe(true);
  expect((await api(owner.api, 'GET', `/api/recordings/${rec!.id}`)).status).toBe(404);
}, 240_000);
