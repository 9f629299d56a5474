import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionInfo } from '@vitrine/protocol';
import { api, startTestServer, waitFor, type TestServer } from '../helpers.ts';
import { parsePrometheusText, sampleSum, sampleValue } from '../prometheus-text.ts';
import { WeriftViewer } from '../werift-viewer.ts';

/**
 * The operator's view through a real server: the probes on both ports, /metrics scraped from the
 * operator's listener (METRICS_LISTEN) while a real session of the diagnostics app launches,
 * streams to a werift viewer and ends, and the listener going "stopping" then away with the server.
 */

let server: TestServer;
let stopped = false;
beforeAll(async () => {
  // One session at most, so a second launch is refused as busy.
  server = await startTestServer({ METRICS_LISTEN: '127.0.0.1:0', MAX_SESSIONS: '1' });
});
afterAll(async () => {
  if (!stopped) await server?.close();
});

const operatorUrl = () => {
  const at = server.operatorAddress();
  if (!at) throw new Error('the operator listener is not listening');
  return `http://${at.host}:${at.port}`;
};

async function scrape() {
  const res = await fetch(`${operatorUrl()}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(await res.text());
}

const get = async (url: string) => {
  const res = await fetch(url);
  return { status: res.status, body: await res.text() };
};

describe('the operator’s view', () => {
  it('answers the probes on both ports with one word, and /metrics only on the operator listener', async () => {
    for (const base of [server.url, operatorUrl()]) {
      expect(await get(`${base}/healthz`)).toEqual({ status: 200, body: 'ok\n' });
      // Ready: the database answers and the encrypted volume (a loop mount here) is mounted.
      expect(await get(`${base}/readyz`)).toEqual({ status: 200, body: 'ready\n' });
    }
    const onMain = await get(`${server.url}/metrics`);
    expect(onMain.status).toBe(404);
    expect(onMain.body).not.toContain('vitrine_');
    expect((await get(`${operatorUrl()}/elsewhere`)).status).toBe(404);
    expect((await fetch(`${operatorUrl()}/metrics`, { method: 'POST' })).status).toBe(405);
    const families = await scrape();
    expect(families.get('vitrine_sessions')?.type).toBe('gauge');
    expect(families.get('vitrine_session_first_frame_seconds')?.type).toBe('histogram');
    expect(families.has('process_cpu_seconds_total')).toBe(true);
    expect(sampleValue(families, 'vitrine_sessions_max')).toBe(1);
  });

  it('follows a session from launch to end: states, starts, refusals, first frame, encoders, viewer', async () => {
    const before = await scrape();
    expect(sampleSum(before, 'vitrine_sessions')).toBe(0);
    const counter = (f: typeof before, name: string, labels: Record<string, string> = {}) =>
      sampleValue(f, name, labels) ?? 0;

    const created = await api<SessionInfo>(server.owner, 'POST', '/api/sessions', { appId: 'diagnostics' });
    expect(created.status).toBe(201);
    const id = created.body.id;
    const launched = await scrape();
    expect(sampleSum(launched, 'vitrine_sessions')).toBe(1);
    expect(sampleValue(launched, 'vitrine_sessions', { state: 'ready' })).toBe(1);
    expect(counter(launched, 'vitrine_session_starts_total')).toBe(counter(before, 'vitrine_session_starts_total') + 1);
    // MAX_SESSIONS=1: the next launch is refused, and counted as such.
    expect((await api(server.owner, 'POST', '/api/sessions', { appId: 'diagnostics' })).status).toBe(503);
    const refused = await scrape();
    expect(counter(refused, 'vitrine_session_refusals_total', { reason: 'busy' })).toBe(
      counter(before, 'vitrine_session_refusals_total', { reason: 'busy' }) + 1,
    );
    expect(counter(refused, 'vitrine_session_starts_total')).toBe(counter(launched, 'vitrine_session_starts_total'));

    const viewer = new WeriftViewer(server.owner, id);
    try {
      await waitFor('video at the viewer', () => viewer.rtpPackets > 30);
      await waitFor('app-ready', () => viewer.messages.some((m) => m.type === 'app-ready'));
      const firstFrames = (f: typeof before) => counter(f, 'vitrine_session_first_frame_seconds_count');
      const streaming = await waitFor('the stream in the metrics', async () => {
        const f = await scrape();
        const ready =
          firstFrames(f) === firstFrames(before) + 1 &&
          counter(f, 'vitrine_encoder_cpu_seconds_total') > 0 &&
          counter(f, 'vitrine_viewer_rtp_sent_bytes_total') > 0;
        return ready ? f : null;
      });
      expect(sampleValue(streaming, 'vitrine_sessions', { state: 'streaming' })).toBe(1);
      expect(sampleValue(streaming, 'vitrine_viewers')).toBe(1);
      expect(sampleValue(streaming, 'vitrine_encoder_processes')).toBeGreaterThan(0);
      const firstFrameSeconds =
        counter(streaming, 'vitrine_session_first_frame_seconds_sum') -
        counter(before, 'vitrine_session_first_frame_seconds_sum');
      expect(firstFrameSeconds).toBeGreaterThan(0);
      expect(firstFrameSeconds).toBeLessThan(30);
      expect(counter(streaming, 'vitrine_viewer_rtp_sent_packets_total')).toBeGreaterThan(30);

      expect((await api(server.owner, 'DELETE', `/api/sessions/${id}`)).status).toBe(204);
      await waitFor('bye', () => viewer.messages.some((m) => m.type === 'bye'));
      const ended = await waitFor('the end in the metrics', async () => {
        const f = await scrape();
        return sampleSum(f, 'vitrine_sessions') === 0 && sampleValue(f, 'vitrine_viewers') === 0 ? f : null;
      });
      expect(counter(ended, 'vitrine_session_ends_total', { reason: 'user ended' })).toBe(
        counter(before, 'vitrine_session_ends_total', { reason: 'user ended' }) + 1,
      );
      // Counters keep what the session's encoders and viewer link used after they are gone.
      for (const name of ['vitrine_encoder_cpu_seconds_total', 'vitrine_viewer_rtp_sent_bytes_total']) {
        expect(counter(ended, name), name).toBeGreaterThanOrEqual(counter(streaming, name));
      }
      expect(counter(ended, 'vitrine_session_start_failures_total', { reason: 'start-failed' })).toBe(0);
    } finally {
      await viewer.close();
    }
  });

  it('says "stopping" from the moment shutdown begins, then closes the operator listener with the server', async () => {
    // A live session with a viewer: stopping ends it first, which takes a moment to watch.
    const { body } = await api<SessionInfo>(server.owner, 'POST', '/api/sessions', { appId: 'diagnostics' });
    const viewer = new WeriftViewer(server.owner, body.id);
    await waitFor('video at the viewer', () => viewer.rtpPackets > 0);
    const url = `${operatorUrl()}/readyz`;
    const seen: string[] = [];
    let polling = true;
    const poll = (async () => {
      while (polling) {
        try {
          const res = await get(url);
          seen.push(`${res.status} ${res.body.trim()}`);
        } catch {
          seen.push('closed');
          return;
        }
      }
    })();
    await waitFor('a readiness answer', () => seen.length > 0);
    stopped = true;
    await server.close();
    await waitFor('the listener closed', () => seen.at(-1) === 'closed');
    polling = false;
    await poll;
    await viewer.close();
    expect(seen[0]).toBe('200 ready');
    expect(seen).toContain('503 stopping');
    // Once stopping, never ready again.
    expect(seen.slice(seen.indexOf('503 stopping'))).not.toContain('200 ready');
  });
});
