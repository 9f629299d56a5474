import { describe, expect, it } from 'vitest';
import type { PacketFate } from './delivery.ts';
import type { Encoding } from './encoding-ladder.ts';
import { StreamAdaptation, type QualityNotice } from './stream-adaptation.ts';

/** Packets that all arrive at once (no queueing, no loss): `kbps` worth over 100 ms from `t`. */
function clear(t: number, kbps: number): PacketFate[] {
  const n = Math.max(1, Math.round((kbps * 100) / 8 / 1200));
  return Array.from({ length: n }, (_, i) => ({ sentAtMs: t + i, size: 1200, receivedAtMs: t + i + 20 }));
}

function setup() {
  let now = 0;
  const applied: Encoding[] = [];
  const notices: QualityNotice[] = [];
  const a = new StreamAdaptation({
    limits: { minKbps: 150, maxKbps: 3000 },
    maxFramerate: 30,
    now: () => now,
    apply: (e) => applied.push(e),
    announce: (n) => notices.push(n),
  });
  const feed = (fates: PacketFate[], at: number) => {
    now = at;
    a.onDelivery(fates);
  };
  return { a, applied, notices, feed };
}

describe('stream adaptation', () => {
  it('changes nothing while the path is clear, whatever the content sends', () => {
    const { applied, notices, feed } = setup();
    for (let t = 0; t < 5000; t += 100) feed(clear(t, t < 2500 ? 2800 : 30), t + 100);
    expect(applied).toEqual([]);
    expect(notices.every((n) => n.cause === null)).toBe(true);
  });

  it('steps the resolution down when the content overshoots a network-limited target, and says so', () => {
    const { a, applied, notices, feed } = setup();
    // A 500 kbit/s bottleneck; at full size the content needs twice what the encoder is asked for.
    let busyUntil = 0;
    for (let t = 0; t < 30_000; t += 100) {
      const kbps = Math.min(3000, a.encoding.bitrateKbps * (a.encoding.scale === 1 ? 2 : 0.9));
      const fates = clear(t, kbps).map((f) => {
        const done = Math.max(busyUntil, f.sentAtMs) + (f.size * 8) / 500;
        if (done - f.sentAtMs > 400) return { ...f, receivedAtMs: undefined }; // tail drop
        busyUntil = done;
        return { ...f, receivedAtMs: done };
      });
      feed(fates, t + 100);
    }
    expect(a.encoding.bitrateKbps).toBeLessThan(600);
    expect(a.encoding.scale).toBeLessThan(1);
    expect(applied.at(-1)!.scale).toBeLessThan(1);
    expect(notices.at(-1)!.cause).toBe('bandwidth');
    expect(notices.at(-1)!.scale).toBeLessThan(1);
  });

  it('keeps full resolution when the content fits the reduced target', () => {
    const { a, feed } = setup();
    let busyUntil = 0;
    for (let t = 0; t < 15_000; t += 100) {
      const fates = clear(t, Math.min(a.encoding.bitrateKbps, 3000)).map((f) => {
        const done = Math.max(busyUntil, f.sentAtMs) + (f.size * 8) / 1000;
        if (done - f.sentAtMs > 400) return { ...f, receivedAtMs: undefined }; // tail drop
        busyUntil = done;
        return { ...f, receivedAtMs: done };
      });
      feed(fates, t + 100);
    }
    expect(a.encoding.bitrateKbps).toBeLessThan(1200);
    expect(a.encoding.scale).toBe(1);
  });
});
