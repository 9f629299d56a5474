import type { FeedbackEntry } from '../congestion/delivery.ts';

/**
 * A transport-wide congestion control feedback message as werift parses it. werift's own
 * `packetResults` skips status-vector chunks (Chromium sends them whenever losses and arrivals
 * mix) and truncates each arrival delta to whole milliseconds, so the arrivals are read here
 * from the parsed chunks and deltas instead.
 */
export interface ParsedTransportFeedback {
  baseSequenceNumber: number;
  packetStatusCount: number;
  /** Multiples of 64 ms on the receiver's clock. */
  referenceTime: number;
  packetChunks: ReadonlyArray<
    { runLength: number; packetStatus: number } | { symbolSize: number; symbolList: readonly number[] }
  >;
  /** Microseconds since the previous arrival (the first: since the reference time). */
  recvDeltas: ReadonlyArray<{ delta?: number }>;
}

/** Packet status symbols (RFC draft-holmer-rmcat-transport-wide-cc-extensions-01, 3.1.1). */
const RECEIVED_SMALL_DELTA = 1;
const RECEIVED_LARGE_DELTA = 2;
/** A status vector chunk with one-bit symbols: 1 means received with a small delta. */
const ONE_BIT_SYMBOLS = 0;

/** Each reported packet: its transport-wide sequence number and arrival time (ms), if it arrived. */
export function feedbackArrivals(fb: ParsedTransportFeedback): FeedbackEntry[] {
  const statuses: number[] = [];
  for (const chunk of fb.packetChunks) {
    if (statuses.length >= fb.packetStatusCount) break;
    if ('runLength' in chunk) {
      const n = Math.min(chunk.runLength, fb.packetStatusCount - statuses.length);
      for (let i = 0; i < n; i++) statuses.push(chunk.packetStatus);
    } else {
      for (const s of chunk.symbolList) {
        statuses.push(chunk.symbolSize === ONE_BIT_SYMBOLS ? (s ? RECEIVED_SMALL_DELTA : 0) : s);
      }
    }
  }
  statuses.length = Math.min(statuses.length, fb.packetStatusCount);
  let atUs = fb.referenceTime * 64_000;
  let next = 0;
  return statuses.map((status, i) => {
    const sequenceNumber = (fb.baseSequenceNumber + i) & 0xffff;
    if (status !== RECEIVED_SMALL_DELTA && status !== RECEIVED_LARGE_DELTA) {
      return { sequenceNumber, receivedAtMs: undefined };
    }
    const delta = fb.recvDeltas[next++]?.delta;
    if (delta === undefined) return { sequenceNumber, receivedAtMs: undefined };
    atUs += delta;
    return { sequenceNumber, receivedAtMs: atUs / 1000 };
  });
}
