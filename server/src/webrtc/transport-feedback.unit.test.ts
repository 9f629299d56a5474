import { describe, expect, it } from 'vitest';
import { TransportWideCC } from 'werift';
import { feedbackArrivals, type ParsedTransportFeedback } from './transport-feedback.ts';

/** A feedback message as Chromium would put it on the wire, parsed by werift. */
function parse(chunks: number[], deltas: number[], base = 100, count = 3, reference = 10): ParsedTransportFeedback {
  const fci = Buffer.alloc(16 + chunks.length * 2 + deltas.length);
  fci.writeUInt32BE(1, 0);
  fci.writeUInt32BE(2, 4);
  fci.writeUInt16BE(base, 8);
  fci.writeUInt16BE(count, 10);
  fci.writeUIntBE(reference, 12, 3);
  fci.writeUInt8(0, 15);
  chunks.forEach((c, i) => fci.writeUInt16BE(c, 16 + i * 2));
  deltas.forEach((d, i) => fci.writeUInt8(d, 16 + chunks.length * 2 + i));
  return TransportWideCC.deSerialize(fci, { count: 15, type: 205, length: 0, padding: false, version: 2 } as never);
}

describe('transport-wide feedback arrivals', () => {
  it('reads a run-length chunk with quarter-millisecond deltas', () => {
    // Run of 3 "received, small delta"; deltas 1 ms, 0.25 ms, 0.
    const arrivals = feedbackArrivals(parse([0x2003], [4, 1, 0]));
    expect(arrivals).toEqual([
      { sequenceNumber: 100, receivedAtMs: 641 },
      { sequenceNumber: 101, receivedAtMs: 641.25 },
      { sequenceNumber: 102, receivedAtMs: 641.25 },
    ]);
  });

  it('reads a one-bit status vector (arrivals and losses mixed), which werift itself skips', () => {
    // Symbols 1 0 1 (then padding): received, lost, received.
    const arrivals = feedbackArrivals(parse([0xa800], [8, 4]));
    expect(arrivals).toEqual([
      { sequenceNumber: 100, receivedAtMs: 642 },
      { sequenceNumber: 101, receivedAtMs: undefined },
      { sequenceNumber: 102, receivedAtMs: 643 },
    ]);
  });

  it('wraps sequence numbers and never reports more packets than the count', () => {
    const arrivals = feedbackArrivals(parse([0x2005], [0, 0], 0xffff, 2));
    expect(arrivals.map((a) => a.sequenceNumber)).toEqual([0xffff, 0]);
  });
});
