/**
 * Issue 17 in Chromium with the real server, sandbox and encoder, the diagnostics app (whose
 * pixels carry the moment each frame was drawn and how many clicks it has seen):
 * - the share's owner watches the client's live session; both decode video; the client's viewer
 *   says who watches; only the one in control reaches the app; take and hand back are on the trail;
 * - the recording holds the frames the client decoded: at the same RTP timestamps, the same
 *   drawn moment, click count and picture.
 * E2E_SHOTS=<folder> keeps pictures of both viewers at two sizes.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { AuditPage, RecordingDetail, RecordingList } from '@vitrine/protocol';
import { decodeShownFrame, waitForStreaming } from './lib/browser.ts';
import { openDiagnosticsLab, openRecordedShare, type DiagnosticsLab } from './lib/diagnostics-lab.ts';
import { shotAtBothSizes } from './lib/screenshots.ts';
import { decodeDiagnosticsFrame } from './lib/diagnostics-probe.ts';
import type { BrowserUser } from './lib/passkeys.ts';
import { api, type TestServer } from '../server/test/helpers.ts';

let lab: DiagnosticsLab;
let server: TestServer;
let owner: BrowserUser;
let client: BrowserUser;

beforeAll(async () => {
  lab = await openDiagnosticsLab({ RECORDING_SEGMENT: '2s' }, { width: 1440, height: 900 });
  ({ server, owner } = lab);
}, 90_000);
afterAll(async () => {
  await lab?.close();
});

/**
 * Collects, for the frames the page's video track decodes (read from the track itself, so a slow
 * read skips frames rather than mixing them up), each one's RTP timestamp, the diagnostics
 * payload and a signature of its luma plane exactly as decoded (copyTo: no colour conversion).
 */
async function collectFrames(page: Page): Promise<void> {
  await page.evaluate(`(() => {
    const decode = ${decodeDiagnosticsFrame.toString()};
    const signature = ${signatureSource};
    const canvas = document.createElement('canvas');
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    const frames = [];
    window.__frames = frames;
    // The decoded frames themselves, each with its own RTP timestamp (no race with what the
    // video element shows at the time a callback runs).
    const track = window.__vitrine.pc.getReceivers().find((r) => r.track.kind === 'video').track;
    const reader = new MediaStreamTrackProcessor({ track }).readable.getReader();
    (async () => {
      for (;;) {
        const { value: frame, done } = await reader.read();
        if (done) return;
        const rtp = frame.metadata ? frame.metadata().rtpTimestamp : undefined;
        const w = frame.displayWidth, h = frame.displayHeight;
        canvas.width = w; canvas.height = h;
        ctx.drawImage(frame, 0, 0);
        const f = decode(ctx.getImageData(0, 0, w, h).data, w, h);
        const buf = new Uint8Array(frame.allocationSize());
        const layout = await frame.copyTo(buf);
        frames.push({ rtp, ms: f ? f.timestampMs : null, toggles: f ? f.toggles : null, sig: signature(buf.subarray(layout[0].offset), layout[0].stride, w, h), format: frame.format });
        frame.close();
      }
    })();
  })()`);
}

/** Mean luma of each cell of a 64x36 grid of a luma plane (every pixel): the same code runs in the page and here. */
function signature(y: Uint8Array, stride: number, w: number, h: number): number[] {
  const out: number[] = [];
  for (let gy = 0; gy < 36; gy++)
    for (let gx = 0; gx < 64; gx++) {
      let sum = 0;
      let n = 0;
      for (let r = Math.floor((gy * h) / 36); r < Math.floor(((gy + 1) * h) / 36); r++)
        for (let c = Math.floor((gx * w) / 64); c < Math.floor(((gx + 1) * w) / 64); c++) {
          sum += y[r * stride + c]!;
          n++;
        }
      out.push(sum / n);
    }
  return out;
}
const signatureSource = signature
  .toString()
  .replace(/!/g, '')
  .replace(/: (Uint8Array|number\[\]|number)/g, '');

interface Seen {
  rtp: number;
  ms: number | null;
  toggles: number | null;
  sig: number[] | null;
}

/** Every frame of the recording, decoded by FFmpeg from its segments, with its timestamp. */
function recordedFrames(files: string[], w: number, h: number): Seen[] {
  // One pass each: the frames as decoded (yuv420p: the luma plane as is) and as RGBA for the
  // diagnostics payload; each one's timestamp from showinfo.
  const decodeAs = (pixFmt: string) =>
    spawnSync(
      'ffmpeg',
      [
        '-v',
        'info',
        '-nostats',
        '-copyts',
        '-i',
        `concat:${files.join('|')}`,
        '-vf',
        'showinfo',
        '-fps_mode',
        'passthrough',
        '-enc_time_base',
        '1:90000',
        '-pix_fmt',
        pixFmt,
        '-f',
        'rawvideo',
        'pipe:1',
      ],
      { maxBuffer: 4 * 1024 ** 3 },
    );
  const yuv = decodeAs('yuv420p');
  const rgba = decodeAs('rgba');
  const pts = [...yuv.stderr.toString().matchAll(/n:\s*\d+\s+pts:\s*(\d+)/g)].map((m) => Number(m[1]));
  const [ySize, rgbaSize] = [(w * h * 3) / 2, w * h * 4];
  expect(yuv.stdout.length / ySize).toBe(pts.length);
  expect(rgba.stdout.length / rgbaSize).toBe(pts.length);
  return pts.map((p, i) => {
    const f = decodeDiagnosticsFrame(rgba.stdout.subarray(i * rgbaSize, (i + 1) * rgbaSize), w, h);
    const luma = new Uint8Array(yuv.stdout.buffer, yuv.stdout.byteOffset + i * ySize, w * h);
    return { rtp: p % 2 ** 32, ms: f?.timestampMs ?? null, toggles: f?.toggles ?? null, sig: signature(luma, w, w, h) };
  });
}

const toggles = async (page: Page) => (await decodeShownFrame(page))?.toggles;
async function clickVideo(page: Page): Promise<void> {
  const box = (await page.locator('video').boundingBox())!;
  await page.mouse.click(box.x + box.width * 0.3, box.y + box.height * 0.5);
}
it("lets the share's owner watch and take control, and records exactly what the client decoded", async () => {
  const opened = await openRecordedShare(lab, { liveView: true, viewport: { width: 1920, height: 1080 } });
  client = opened.client;
  const { sessionId } = opened;
  const cp = client.page;
  await collectFrames(cp);
  await expect.poll(async () => await cp.getByTestId('recording-chip').count()).toBe(1);

  // The owner finds the client's session under "Live now" and watches it.
  const op = owner.page;
  await op.goto(`${server.publicUrl()}/shares`);
  await op.getByTestId('watch-session').click();
  await waitForStreaming(op, 30_000);
  await expect.poll(() => op.getByTestId('participant-notice').textContent()).toBe('Watching Cleo Client · view only');
  await expect.poll(() => cp.getByTestId('participant-notice').textContent()).toBe('Ada Admin is watching');
  // Both decode the same app, live.
  const [a, b] = [await decodeShownFrame(cp), await decodeShownFrame(op)];
  expect(a && b && Math.abs(a.timestampMs - b.timestampMs)).toBeLessThan(2000);

  // View only: the owner's clicks do not reach the app; the client's do.
  const start = await toggles(cp);
  expect(start).toBeDefined();
  await clickVideo(op);
  await clickVideo(op);
  await cp.waitForTimeout(1000); // nothing is expected to happen: give it time to show if it did
  expect(await toggles(cp)).toBe(start);
  await clickVideo(cp);
  await expect.poll(() => toggles(cp), { timeout: 10_000 }).toBe((start! + 1) % 256);

  // The owner takes control: now their clicks count and the client's do not.
  await op.getByTestId('control-action').click();
  await expect.poll(() => cp.getByTestId('participant-notice').textContent()).toBe('Ada Admin has control');
  await expect.poll(() => op.getByTestId('participant-notice').textContent()).toMatch(/You have control/);
  await clickVideo(op);
  await expect.poll(() => toggles(op), { timeout: 10_000 }).toBe((start! + 2) % 256);
  await clickVideo(cp);
  await cp.waitForTimeout(1000);
  expect(await toggles(cp)).toBe((start! + 2) % 256);
  await shotAtBothSizes(cp, 'watched-client');
  await shotAtBothSizes(op, 'watching-owner');
  // The client takes it back.
  await cp.getByTestId('control-action').click();
  await expect.poll(() => cp.getByTestId('participant-notice').textContent()).toBe('Ada Admin is watching');
  await cp.waitForTimeout(2500); // a little more recording after the last change

  await cp.getByTestId('end-session').click();
  await cp.getByTestId('viewer-message').waitFor();
  const seen = (await cp.evaluate('window.__frames')) as Seen[];

  // On the trail: watching, taking and handing back control.
  await server.audit.flush();
  const trail = (
    await api<AuditPage>(owner.api, 'GET', `/api/audit?session=${sessionId}&order=asc&limit=500`)
  ).body.events.map((e) => e.action);
  expect(trail).toEqual(expect.arrayContaining(['session.watch', 'session.take-control', 'session.hand-back']));

  // The recording: wait until it is closed, then decode every frame it holds.
  let rec: RecordingDetail | undefined;
  await expect
    .poll(
      async () => {
        const list = (await api<RecordingList>(owner.api, 'GET', `/api/recordings?sessionId=${sessionId}`)).body;
        const id = list.recordings[0]?.id;
        rec = id ? (await api<RecordingDetail>(owner.api, 'GET', `/api/recordings/${id}`)).body : undefined;
        return rec?.state;
      },
      { timeout: 15_000 },
    )
    .toBe('finished');
  const dir = path.join(server.config.recordings.dir, await ownerId(), rec!.id);
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .sort()
    .map((f) => path.join(dir, f));
  const recorded = recordedFrames(files, 1280, 720);
  const at = new Map(recorded.map((f, i) => [f.rtp, i]));
  const decodable = seen.filter((f) => f.ms !== null && f.sig !== null);
  const pairs = decodable.flatMap((f) => (at.has(f.rtp) ? [[f, at.get(f.rtp)!] as const] : []));
  // Nearly every frame the client decoded is in the recording at its RTP timestamp (the browser
  // may skip showing some; the recording skips none).
  expect(pairs.length).toBeGreaterThan(decodable.length * 0.9);
  // At that timestamp it is the same frame, every one: the same drawn moment and click count,
  // and the same luma bit for bit (signature distance 0). Each frame is read as decoded, with
  // its own RTP timestamp (MediaStreamTrackProcessor), not from the element at callback time.
  const sameMoment = (shown: Seen, kept: Seen | undefined) => kept?.ms === shown.ms && kept.toggles === shown.toggles;
  const sameLuma = (shown: Seen, kept: Seen | undefined) => !!kept && distance(shown.sig!, kept.sig!) < 0.5;
  const differing = pairs.filter(([shown, i]) => !(sameMoment(shown, recorded[i]) && sameLuma(shown, recorded[i])));
  expect(differing.length, `${differing.length} of ${pairs.length} frames differ from the recording's`).toBe(0);
  // The check can fail: neighbouring frames of this app are never identical.
  const neighbours = recorded.slice(1).filter((f, i) => sameMoment(f, recorded[i]) && sameLuma(f, recorded[i])).length;
  expect(neighbours).toBeLessThan(recorded.length * 0.1);
  // The clicks' story is in the recording too (the toggle counts the client saw).
  expect(new Set(pairs.map(([shown]) => shown.toggles)).size).toBeGreaterThanOrEqual(3);
  expect(rec!.events.map((e) => e.text)).toEqual(
    expect.arrayContaining(['The owner took control', 'Control went back to the client']),
  );
}, 180_000);

/** Mean absolute difference of two signatures (luma, 0..255). */
function distance(a: number[], b: number[]): number {
  return a.reduce((s, v, i) => s + Math.abs(v - b[i]!), 0) / a.length;
}

async function ownerId(): Promise<string> {
  return (await api<{ id: string }>(owner.api, 'GET', '/api/auth/me')).body.id;
}
