import { describe, expect, it } from 'vitest';
import { RenderQueue } from './renderQueue.ts';

describe('RenderQueue', () => {
  it('runs one job at a time, lowest priority number first, and skips cancelled ones', async () => {
    const q = new RenderQueue(1);
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    q.schedule(1, async () => {
      order.push('first');
      await gate;
    });
    q.schedule(2, async () => void order.push('thumb'));
    const cancel = q.schedule(1, async () => void order.push('cancelled'));
    q.schedule(0, async () => void order.push('visible'));
    cancel();
    release();
    await new Promise((r) => setTimeout(r, 10));
    expect(order).toEqual(['first', 'visible', 'thumb']);
    expect(q.pending).toBe(0);
  });

  it('aborts a running job when cancelled', async () => {
    const q = new RenderQueue(1);
    let aborted = false;
    const cancel = q.schedule(
      0,
      (signal) => new Promise<void>((r) => signal.addEventListener('abort', () => ((aborted = true), r()))),
    );
    cancel();
    await new Promise((r) => setTimeout(r, 0));
    expect(aborted).toBe(true);
  });
});
