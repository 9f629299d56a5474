/**
 * Code that runs inside the viewer page, kept as strings: the root tsconfig (which includes
 * bench/) has no DOM types, and the diagnostics decoder is injected via `toString()` like
 * e2e/lib/browser.ts does. Everything lives on `window.__bench`.
 */
import { decodeDiagnosticsFrame } from '../../e2e/lib/diagnostics-probe.ts';

/**
 * Installed with page.addInitScript before the viewer loads: records the wall-clock time of the
 * first frame the <video> presents (requestVideoFrameCallback) and of every viewer state change.
 */
export const INIT_SCRIPT = `(() => {
  const b = (window.__bench = { firstFrameWall: null, states: [] });
  let hooked = null;
  const poll = setInterval(() => {
    const v = window.__vitrine;
    if (!v) return;
    const last = b.states[b.states.length - 1];
    if (!last || last.state !== v.state) b.states.push({ state: v.state, wall: Date.now() });
    const video = v.video;
    if (video && video !== hooked) {
      hooked = video;
      video.requestVideoFrameCallback(() => {
        if (b.firstFrameWall === null) b.firstFrameWall = Date.now();
      });
    }
    if (b.firstFrameWall !== null && v.state === 'streaming') clearInterval(poll);
  }, 2);
})()`;

export interface StartTimes {
  firstFrameWall: number | null;
  states: Array<{ state: string; wall: number }>;
}
export const READ_START_TIMES = `({ firstFrameWall: window.__bench.firstFrameWall, states: window.__bench.states })`;

/** Width x height of the pixel region read per frame: covers the block grid (x 16..784, y 16..64). */
const REGION_W = 800;
const REGION_H = 80;

/**
 * Starts a requestVideoFrameCallback loop on the viewer's <video>. For each presented frame it
 * draws only the top-left 800x80 region (of the display) onto a canvas, decodes the diagnostics
 * blocks and
 *  - while recording, stores the frame's latency and its split at the packet receive time;
 *  - resolves a pending click once the toggle counter in the picture changes.
 */
export const RECORDER_SCRIPT = recorderScript();

/**
 * RECORDER_SCRIPT for a display of `display` pixels whose stream may arrive scaled down (a
 * congestion controller lowering the resolution): the region is read from the decoded frame in
 * proportion and scaled back to display pixels before decoding. Without `display` the frame is
 * read pixel for pixel, as the display size.
 */
export function recorderScript(display?: { width: number; height: number }): string {
  const source = display
    ? `0, 0, ${REGION_W} * video.videoWidth / ${display.width}, ${REGION_H} * video.videoHeight / ${display.height}, 0, 0, ${REGION_W}, ${REGION_H}`
    : '0, 0';
  return `(() => {
  const decode = ${decodeDiagnosticsFrame.toString()};
  const b = window.__bench;
  if (b.recorderStarted) return;
  b.recorderStarted = true;
  const video = window.__vitrine.video;
  const canvas = document.createElement('canvas');
  canvas.width = ${REGION_W};
  canvas.height = ${REGION_H};
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  Object.assign(b, { recording: false, samples: [], callbacks: 0, undecodable: 0, last: null, pending: null });
  const onFrame = (_now, meta) => {
    const wall = Date.now();
    // performance.now()-based metadata converted to the Date.now() clock the app also uses.
    const toEpoch = (t) => (t === undefined ? null : t + wall - performance.now());
    ctx.drawImage(video, ${source});
    const f = decode(ctx.getImageData(0, 0, ${REGION_W}, ${REGION_H}).data, ${REGION_W}, ${REGION_H});
    if (b.recording) b.callbacks++;
    if (f) {
      b.last = f;
      if (b.recording) {
        const recv = toEpoch(meta.receiveTime);
        const display = toEpoch(meta.expectedDisplayTime);
        b.samples.push({
          g2g: wall - f.timestampMs,
          upstream: recv === null ? null : recv - f.timestampMs,
          downstream: recv === null ? null : wall - recv,
          toDisplay: display === null ? null : display - f.timestampMs,
          processing: meta.processingDuration === undefined ? null : meta.processingDuration * 1000,
        });
      }
      const p = b.pending;
      if (p && f.toggles !== p.base) {
        b.pending = null;
        p.resolve(wall - p.t0);
      }
    } else if (b.recording) {
      b.undecodable++;
    }
    video.requestVideoFrameCallback(onFrame);
  };
  video.requestVideoFrameCallback(onFrame);
  b.setRecording = (on) => {
    if (on) Object.assign(b, { samples: [], callbacks: 0, undecodable: 0 });
    b.recording = on;
  };
  // Sends button down+up straight on the input data channel; resolves with the ms until a frame
  // showing the incremented toggle counter is presented, or null after timeoutMs.
  b.click = (down, up, timeoutMs) => new Promise((resolve) => {
    const dc = window.__vitrine.dc;
    if (!b.last || !dc || dc.readyState !== 'open') return resolve(null);
    const timer = setTimeout(() => { b.pending = null; resolve(null); }, timeoutMs);
    b.pending = { base: b.last.toggles, t0: Date.now(), resolve: (ms) => { clearTimeout(timer); resolve(ms); } };
    dc.send(new Uint8Array(down));
    dc.send(new Uint8Array(up));
  });
})()`;
}

export interface FrameSample {
  /** Presented (rVFC callback) minus drawn-at timestamp in the picture. */
  g2g: number;
  /** Last packet of the frame received minus drawn-at: capture + encode + server + network. */
  upstream: number | null;
  /** rVFC callback minus packet receive: jitter buffer + decode + compositing. */
  downstream: number | null;
  /** Browser's expected display time minus drawn-at. */
  toDisplay: number | null;
  /** Chromium's processingDuration (receive to decoded), ms. */
  processing: number | null;
}

export interface RecordedWindow {
  samples: FrameSample[];
  callbacks: number;
  undecodable: number;
}

export const setRecording = (on: boolean): string => `window.__bench.setRecording(${on})`;
export const READ_RECORDING = `({ samples: window.__bench.samples, callbacks: window.__bench.callbacks, undecodable: window.__bench.undecodable })`;

export const clickScript = (down: Uint8Array, up: Uint8Array, timeoutMs: number): string =>
  `window.__bench.click(${JSON.stringify(Array.from(down))}, ${JSON.stringify(Array.from(up))}, ${timeoutMs})`;

export interface InboundSnapshot {
  timestamp: number;
  framesDecoded: number;
  framesDropped: number;
  bytesReceived: number;
  jitterBufferDelay: number;
  jitterBufferEmittedCount: number;
  totalDecodeTime: number;
  freezeCount: number;
  frameWidth: number;
  frameHeight: number;
  codec: string;
}

/** The inbound-rtp video stats of the viewer's RTCPeerConnection. */
export const INBOUND_STATS = `(async () => {
  const report = await window.__vitrine.pc.getStats();
  let s = null;
  report.forEach((x) => { if (x.type === 'inbound-rtp' && x.kind === 'video') s = x; });
  if (!s) return null;
  const codec = s.codecId ? report.get(s.codecId) : null;
  return {
    timestamp: s.timestamp, framesDecoded: s.framesDecoded ?? 0, framesDropped: s.framesDropped ?? 0,
    bytesReceived: s.bytesReceived ?? 0, jitterBufferDelay: s.jitterBufferDelay ?? 0,
    jitterBufferEmittedCount: s.jitterBufferEmittedCount ?? 0, totalDecodeTime: s.totalDecodeTime ?? 0,
    freezeCount: s.freezeCount ?? 0, frameWidth: s.frameWidth ?? 0, frameHeight: s.frameHeight ?? 0,
    codec: codec ? codec.mimeType : '',
  };
})()`;

/** Scale at which the <video> element shows the stream (1 = pixel for pixel). */
export const VIDEO_SCALE = `(() => {
  const v = window.__vitrine.video;
  return Math.min(v.clientWidth / v.videoWidth, v.clientHeight / v.videoHeight);
})()`;

export const VIEWER_STATE = `window.__vitrine ? window.__vitrine.state : 'none'`;
export const SESSION_ID = `window.__vitrine.sessionId`;
