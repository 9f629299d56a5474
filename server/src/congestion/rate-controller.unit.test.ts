import { describe, expect, it } from 'vitest';
import { DeliveryLog, transportSequenceExtension, type PacketFate } from './delivery.ts';
import { encodingFor, scaledSize, worthReconfiguring } from './encoding-ladder.ts';
import { RateController, TICK_MS } from './rate-controller.ts';

/**
 * A simulated bottleneck: packets leave the sender at `sendKbps` in 1200-byte packets and pass a
 * FIFO that drains at `linkKbps`, holding at most `queueMs` of data (tail drop), plus random
 * loss. Returns fates as the receiver would report them, one batch per 100 ms of feedback.
 */
class Link {
  linkKbps: number;
  lossRate = 0;
  private busyUntil = 0;
  private readonly queueMs: number;
  private readonly propagationMs = 20;
  private seed = 7;
  constructor(linkKbps: number, queueMs = 400) {
    this.linkKbps = linkKbps;
    this.queueMs = queueMs;
  }
  private random(): number {
    this.seed = (this.seed * 1103515245 + 12345) & 0x7fffffff;
    return this.seed / 0x7fffffff;
  }
  /** Sends `sendKbps` worth of packets during [t, t + 100 ms) and returns their fates. */
  carry(t: number, sendKbps: number): PacketFate[] {
    const size = 1200;
    const count = Math.max(1, Math.round((sendKbps * 100) / 8 / size));
    const fates: PacketFate[] = [];
    for (let i = 0; i < count; i++) {
      const sentAtMs = t + (i * 100) / count;
      const start = Math.max(sentAtMs, this.busyUntil);
      if (start - sentAtMs > this.queueMs || this.random() < this.lossRate) {
        fates.push({ sentAtMs, size, receivedAtMs: undefined });
        continue;
      }
      this.busyUntil = start + (size * 8) / this.linkKbps;
      fates.push({ sentAtMs, size, receivedAtMs: this.busyUntil + this.propagationMs + 5000 });
    }
    return fates;
  }
}

/** Runs the controller against a link; the sender sends min(target, demandKbps). */
function run(
  controller: RateController,
  link: Link,
  fromMs: number,
  toMs: number,
  demandKbps: number,
): { t: number; target: number } {
  let target = controller.state.targetKbps;
  for (let t = fromMs; t < toMs; t += 100) {
    const state = controller.onFeedback(link.carry(t, Math.min(target, demandKbps)), t + 100);
    if (state) target = state.targetKbps;
  }
  return { t: toMs, target };
}

describe('rate controller', () => {
  it('backs off to what a capped link carries, and holds there', () => {
    const c = new RateController({ minKbps: 150, maxKbps: 3000 });
    const link = new Link(500);
    const { target } = run(c, link, 0, 10_000, 3000);
    expect(target).toBeGreaterThan(250);
    expect(target).toBeLessThan(600);
    expect(c.state.cause).toBe('bandwidth');
  });

  it('comes back to the maximum within 5 s once the cap is lifted', () => {
    const c = new RateController({ minKbps: 150, maxKbps: 3000 });
    const link = new Link(500);
    run(c, link, 0, 10_000, 3000);
    link.linkKbps = 100_000;
    let reached: number | undefined;
    let target = c.state.targetKbps;
    for (let t = 10_000; t < 20_000 && reached === undefined; t += 100) {
      const s = c.onFeedback(link.carry(t, target), t + 100);
      if (s) target = s.targetKbps;
      if (target >= 3000) reached = t + 100 - 10_000;
    }
    expect(reached).toBeDefined();
    expect(reached!).toBeLessThanOrEqual(5000);
    expect(c.state.cause).toBeNull();
  });

  it('does not lower the target when the screen is static (little is sent)', () => {
    const c = new RateController({ minKbps: 150, maxKbps: 3000 });
    const { target } = run(c, new Link(100_000), 0, 5000, 40);
    expect(target).toBe(3000);
  });

  it('does not grow the target on a static screen after a back-off either', () => {
    const c = new RateController({ minKbps: 150, maxKbps: 3000 });
    const link = new Link(500);
    const backedOff = run(c, link, 0, 6000, 3000).target;
    link.linkKbps = 100_000;
    const { target } = run(c, link, 6000, 12_000, 20);
    expect(target).toBe(backedOff);
  });

  it('holds through 5 % random loss on a fast link (NACK repairs it)', () => {
    const c = new RateController({ minKbps: 150, maxKbps: 3000 });
    const link = new Link(100_000);
    link.lossRate = 0.05;
    const { target } = run(c, link, 0, 10_000, 3000);
    expect(target).toBe(3000);
  });

  it('backs off on heavy loss without queueing, and names it', () => {
    const c = new RateController({ minKbps: 150, maxKbps: 3000 });
    const link = new Link(100_000);
    link.lossRate = 0.3;
    const { target } = run(c, link, 0, 3000, 3000);
    expect(target).toBeLessThan(3000);
    expect(c.state.cause).toBe('loss');
  });

  it('names a cap that starts mid-tick bandwidth, though its first drops come before a whole tick waited', () => {
    // tbf as the e2e lab sets it: 200 ms of queue at the rate, tail drop behind it. The tick the cap
    // starts in has early packets that never queued, so its lowest delay shows no queue yet.
    for (const startMs of [5000, 5050, 5100, 5150, 5200]) {
      const c = new RateController({ minKbps: 150, maxKbps: 3000 });
      const link = new Link(100_000, 200);
      run(c, link, 0, startMs, 3000);
      link.linkKbps = 500;
      let first: string | null | undefined;
      let target = c.state.targetKbps;
      for (let t = startMs; t < startMs + 3000 && first === undefined; t += 100) {
        const state = c.onFeedback(link.carry(t, target), t + 100);
        if (state) target = state.targetKbps;
        if (state?.cause) first = state.cause;
      }
      expect(first, `cap from ${startMs} ms`).toBe('bandwidth');
    }
  });

  it('never goes below the minimum', () => {
    const c = new RateController({ minKbps: 150, maxKbps: 3000 });
    const { target } = run(c, new Link(60), 0, 10_000, 3000);
    expect(target).toBe(150);
  });

  it('decides once per tick, not per feedback message', () => {
    const c = new RateController({ minKbps: 150, maxKbps: 3000 });
    const link = new Link(100_000);
    let decisions = 0;
    for (let t = 0; t < 1000; t += 50) if (c.onFeedback(link.carry(t, 1000), t)) decisions++;
    expect(decisions).toBeLessThanOrEqual(1000 / TICK_MS);
    expect(decisions).toBeGreaterThanOrEqual(1000 / TICK_MS - 1);
  });
});

describe('encoding ladder', () => {
  it('keeps full rate and size at high targets, then lowers frame rate, then size', () => {
    expect(encodingFor(3000, 30)).toEqual({ bitrateKbps: 3000, framerate: 30, scale: 1 });
    expect(encodingFor(1000, 30).framerate).toBe(25);
    expect(encodingFor(1000, 30).scale).toBe(1);
    expect(encodingFor(450, 30)).toEqual({ bitrateKbps: 450, framerate: 11, scale: 1 });
    expect(encodingFor(300, 30)).toEqual({ bitrateKbps: 300, framerate: 10, scale: 0.75 });
    expect(encodingFor(150, 30).scale).toBe(0.5);
    expect(encodingFor(3000, 5).framerate).toBe(5);
  });

  it('changes the encoder only for a real difference, and not too often', () => {
    const a = { bitrateKbps: 1000, framerate: 25, scale: 1 };
    expect(worthReconfiguring(a, { ...a, bitrateKbps: 1100 }, 5000)).toBe(false);
    expect(worthReconfiguring(a, { ...a, bitrateKbps: 700 }, 5000)).toBe(true);
    expect(worthReconfiguring(a, { ...a, bitrateKbps: 700 }, 100)).toBe(false);
    expect(worthReconfiguring(a, { ...a, bitrateKbps: 1500 }, 600)).toBe(false);
    expect(worthReconfiguring(a, { ...a, bitrateKbps: 1500 }, 1600)).toBe(true);
    expect(worthReconfiguring(a, { ...a, framerate: 24 }, 5000)).toBe(true);
  });

  it('scales to even sizes', () => {
    expect(scaledSize(1280, 720, 0.75)).toEqual({ width: 960, height: 540 });
    expect(scaledSize(1366, 768, 0.75)).toEqual({ width: 1024, height: 576 });
    expect(scaledSize(1920, 1080, 1)).toEqual({ width: 1920, height: 1080 });
  });
});

describe('delivery log', () => {
  it('matches feedback to send records once, across the 16-bit wrap', () => {
    const log = new DeliveryLog();
    const seqs = Array.from({ length: 70_000 }, (_, i) => log.sent(100 + (i % 7), i));
    const last = seqs.slice(-3);
    const fates = log.fates([
      { sequenceNumber: last[0]!, receivedAtMs: 5 },
      { sequenceNumber: last[1]!, receivedAtMs: undefined },
      // Not sent yet (its slot holds an older packet): ignored.
      { sequenceNumber: (last[2]! + 10) & 0xffff, receivedAtMs: 9 },
    ]);
    expect(fates.map((f) => f.sentAtMs)).toEqual([69_997, 69_998]);
    expect(fates[1]!.receivedAtMs).toBeUndefined();
    expect(log.fates([{ sequenceNumber: last[0]!, receivedAtMs: 5 }])).toEqual([]);
    expect(transportSequenceExtension(0x1_2345)).toEqual(Buffer.from([0x23, 0x45]));
  });
});
