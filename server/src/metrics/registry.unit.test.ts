import { describe, expect, it } from 'vitest';
import type { LaunchPlan } from '../launch/plan.ts';
import { LinkTally, type LinkSample } from '../webrtc/link-tally.ts';
import { readProcessCpu } from './process-cpu.ts';
import { buildMetrics, type MetricSources } from './registry.ts';

const plan = () => ({ sessionId: crypto.randomUUID() }) as unknown as LaunchPlan;

function metricsWith(over: Partial<MetricSources> = {}) {
  const metrics = buildMetrics({
    maxSessions: 4,
    sessions: () => ({ states: { starting: 1, ready: 2, streaming: 3, ended: 7 }, pids: [] }),
    audit: () => ({ queued: 5, writable: false }),
    links: new LinkTally(),
    encoderNames: ['ffmpeg'],
    ...over,
  });
  /** One series' value (labels matched exactly) of a counter or gauge; undefined when absent. */
  const value = async (name: string, labels: Record<string, string> = {}) => {
    const metric = metrics.registry.getSingleMetric(name);
    if (!metric) throw new Error(`${name} is not registered`);
    const { values } = await metric.get();
    const key = JSON.stringify(labels);
    return values.find((v) => JSON.stringify(v.labels) === key)?.value;
  };
  return { ...metrics, value };
}

describe('the server metrics', () => {
  it('count sessions by live state against the capacity, and the audit backlog', async () => {
    const m = metricsWith();
    expect(await m.value('vitrine_sessions', { state: 'starting' })).toBe(1);
    expect(await m.value('vitrine_sessions', { state: 'streaming' })).toBe(3);
    // Ended sessions are kept a minute for late questions; they are not sessions running.
    expect(await m.value('vitrine_sessions', { state: 'ended' })).toBeUndefined();
    expect(await m.value('vitrine_sessions_max')).toBe(4);
    expect(await m.value('vitrine_audit_queue_events')).toBe(5);
    expect(await m.value('vitrine_audit_writable')).toBe(0);
  });

  it('count launches, refusals, failures, ends and first frames through the session observer', async () => {
    const m = metricsWith();
    const o = m.sessions;
    const [a, b, c] = [plan(), plan(), plan()];
    await o.launched?.(a, new Date());
    await o.launched?.(b, new Date());
    await o.launched?.(c, new Date());
    o.refused?.(a, 'busy');
    o.firstFrame?.(a, 1800);
    o.ended?.(a, { reason: 'user ended', detail: undefined, durationMs: 1, sent: { frames: 0, bytes: 0 } });
    // A sandbox that died while starting: its end and the failed launch are one sandbox failure.
    o.ended?.(b, { reason: 'app exited', detail: 'exit 1', durationMs: 1, sent: { frames: 0, bytes: 0 } });
    o.startFailed?.(b, 'start-failed');
    o.startFailed?.(c, 'start-failed');
    expect(await m.value('vitrine_session_starts_total')).toBe(3);
    expect(await m.value('vitrine_session_refusals_total', { reason: 'busy' })).toBe(1);
    expect(await m.value('vitrine_session_refusals_total', { reason: 'too-many-sessions' })).toBe(0);
    expect(await m.value('vitrine_session_start_failures_total', { reason: 'start-failed' })).toBe(2);
    expect(await m.value('vitrine_session_ends_total', { reason: 'user ended' })).toBe(1);
    expect(await m.value('vitrine_sandbox_failures_total', { reason: 'app exited' })).toBe(1);
    expect(await m.value('vitrine_sandbox_failures_total', { reason: 'start-failed' })).toBe(1);
    const text = await m.registry.metrics();
    expect(text).toContain('vitrine_session_first_frame_seconds_count 1');
    expect(text).toContain('vitrine_session_first_frame_seconds_bucket{le="2"} 1');
    expect(text).toContain('vitrine_session_first_frame_seconds_bucket{le="1.5"} 0');
  });

  it('label nothing by person, file or session: only bounded vocabularies', async () => {
    const m = metricsWith();
    await m.sessions.launched?.(plan(), new Date());
    const labels = new Set<string>();
    for (const metric of await m.registry.getMetricsAsJSON()) {
      if (!metric.name.startsWith('vitrine_')) continue;
      for (const v of metric.values) for (const l of Object.keys(v.labels)) labels.add(l);
    }
    // outcome: a warm start taken or missed (vitrine_warm_starts_total).
    expect([...labels].sort()).toEqual(['le', 'outcome', 'reason', 'state']);
  });

  it("add the encoders' CPU from /proc, and keep what an encoder used after it is gone", async () => {
    const self = readProcessCpu(process.pid)!;
    let pids = [[process.pid, 999_999_999]];
    const m = metricsWith({
      sessions: () => ({ states: { starting: 0, ready: 0, streaming: 1, ended: 0 }, pids }),
      encoderNames: [self.name],
    });
    const used = (await m.value('vitrine_encoder_cpu_seconds_total'))!;
    expect(used).toBeGreaterThan(0);
    expect(await m.value('vitrine_encoder_processes')).toBe(1);
    pids = [];
    expect(await m.value('vitrine_encoder_cpu_seconds_total')).toBe(used);
    expect(await m.value('vitrine_encoder_processes')).toBe(0);
  });

  it("sum the viewers' links, open and closed", async () => {
    const links = new LinkTally();
    const m = metricsWith({ links });
    const sample: LinkSample = { packetsSent: 100, bytesSent: 120_000, packetsLost: 3, fractionLost: 0.05 };
    const leave = links.opened(() => sample);
    links.opened(() => ({ packetsSent: 10, bytesSent: 1000, packetsLost: 0, fractionLost: undefined }));
    expect(await m.value('vitrine_viewers')).toBe(2);
    expect(await m.value('vitrine_viewer_rtp_sent_bytes_total')).toBe(121_000);
    expect(await m.value('vitrine_viewer_worst_loss_ratio')).toBe(0.05);
    leave();
    expect(await m.value('vitrine_viewers')).toBe(1);
    expect(await m.value('vitrine_viewer_rtp_sent_packets_total')).toBe(110);
    expect(await m.value('vitrine_viewer_rtp_lost_packets_total')).toBe(3);
    expect(await m.value('vitrine_viewer_worst_loss_ratio')).toBe(0);
  });
});
