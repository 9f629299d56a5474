import { describe, expect, it } from 'vitest';
import { LinkTally, type LinkSample } from './link-tally.ts';

describe('the viewer links tally', () => {
  it('never lets a total go down, and keeps a closed link’s last counts', () => {
    const tally = new LinkTally();
    let now: LinkSample = { packetsSent: 50, bytesSent: 5000, packetsLost: 4, fractionLost: 0.1 };
    const close = tally.opened(() => now);
    expect(tally.totals()).toEqual({
      links: 1,
      packetsSent: 50,
      bytesSent: 5000,
      packetsLost: 4,
      worstFractionLost: 0.1,
    });
    // A receiver's cumulative loss may go down (duplicates arrived late): the total does not.
    now = { packetsSent: 80, bytesSent: 8000, packetsLost: 2, fractionLost: 0 };
    expect(tally.totals()).toMatchObject({ packetsSent: 80, packetsLost: 4, worstFractionLost: 0 });
    now = { packetsSent: 90, bytesSent: 9000, packetsLost: 6, fractionLost: 0 };
    close();
    close();
    expect(tally.totals()).toEqual({
      links: 0,
      packetsSent: 90,
      bytesSent: 9000,
      packetsLost: 6,
      worstFractionLost: 0,
    });
  });

  it('keeps what a link had when it cannot be read', () => {
    const tally = new LinkTally();
    let broken = false;
    tally.opened(() => {
      if (broken) throw new Error('closed under us');
      return { packetsSent: 7, bytesSent: 700, packetsLost: 0, fractionLost: undefined };
    });
    expect(tally.totals().bytesSent).toBe(700);
    broken = true;
    expect(tally.totals()).toMatchObject({ links: 1, bytesSent: 700, worstFractionLost: 0 });
  });
});
