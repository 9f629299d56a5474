/**
 * What the receiver reported about the packets we sent: transport-wide congestion control
 * feedback (one sequence number per packet across the whole transport, answered every ~100 ms
 * with each packet's arrival time or its absence) matched with our own send records.
 */

/** One packet as the feedback describes it. `receivedAtMs` is on the receiver's clock. */
export interface PacketFate {
  sentAtMs: number;
  size: number;
  receivedAtMs: number | undefined;
}

/** Feedback entries as the RTCP parser gives them: sequence number and arrival time, if any. */
export interface FeedbackEntry {
  sequenceNumber: number;
  receivedAtMs: number | undefined;
}

/** 16-bit sequence numbers wrap; this many send records are kept (a few seconds at 3 Mbit/s). */
const HISTORY = 4096;

/**
 * The sender's side of transport-wide congestion control: numbers each outgoing packet and
 * remembers when it went and how big it was, so feedback can be turned into packet fates.
 */
export class DeliveryLog {
  private next = Math.floor(Math.random() * 0xffff);
  private readonly seqs = new Int32Array(HISTORY).fill(-1);
  private readonly sentAt = new Float64Array(HISTORY);
  private readonly sizes = new Uint32Array(HISTORY);

  /** Numbers one outgoing packet; returns the transport-wide sequence number to put on it. */
  sent(size: number, nowMs: number): number {
    const seq = this.next;
    this.next = (this.next + 1) & 0xffff;
    const slot = seq % HISTORY;
    this.seqs[slot] = seq;
    this.sentAt[slot] = nowMs;
    this.sizes[slot] = size;
    return seq;
  }

  /** The fates of the packets a feedback message covers that we still remember, in send order. */
  fates(entries: readonly FeedbackEntry[]): PacketFate[] {
    const out: PacketFate[] = [];
    for (const e of entries) {
      const slot = e.sequenceNumber % HISTORY;
      if (this.seqs[slot] !== e.sequenceNumber) continue;
      out.push({ sentAtMs: this.sentAt[slot]!, size: this.sizes[slot]!, receivedAtMs: e.receivedAtMs });
      // Each packet counts once, even if a later feedback repeats it.
      this.seqs[slot] = -1;
    }
    return out;
  }
}

/** The transport-wide sequence number header extension's payload: the number, 2 bytes big-endian. */
export function transportSequenceExtension(seq: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(seq & 0xffff, 0);
  return b;
}
