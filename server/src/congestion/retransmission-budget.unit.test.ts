import { describe, expect, it } from 'vitest';
import { RetransmissionBudget } from './retransmission-budget.ts';

describe('retransmission budget', () => {
  it('resends a packet at most twice', () => {
    const b = new RetransmissionBudget(3000);
    expect(b.allow([1, 2], 0)).toEqual([1, 2]);
    expect(b.allow([1, 2], 300)).toEqual([1, 2]);
    expect(b.allow([1, 2, 3], 600)).toEqual([3]);
  });

  it('spends at most 30 % of the target on resends', () => {
    // 500 kbit/s: 30 % over 250 ms is ≈ 4.7 KB, three full packets.
    const b = new RetransmissionBudget(500);
    const many = Array.from({ length: 50 }, (_, i) => i);
    expect(b.allow(many, 0)).toEqual([0, 1, 2]);
    expect(b.allow(many, 100)).toEqual([]);
    expect(b.allow(many, 260)).toEqual([0, 1, 2]); // their second and last resend
    expect(b.allow(many, 520)).toEqual([3, 4, 5]);
  });

  it('keeps up with 5 % random loss at 3 Mbit/s', () => {
    const b = new RetransmissionBudget(3000);
    // 3 Mbit/s is ≈ 78 packets per 250 ms; 5 % of them: 4 NACKed per window, all resent.
    for (let w = 0; w < 40; w++) {
      const lost = [w * 4, w * 4 + 1, w * 4 + 2, w * 4 + 3];
      expect(b.allow(lost, w * 250)).toEqual(lost);
    }
  });
});
