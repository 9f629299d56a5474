/**
 * Which lost packets to resend when the viewer asks (NACK). On a congested path resending
 * everything the browser asks for, again and again, fills the path with old packets and keeps it
 * congested after the encoder has backed off (measured: loss and 200 ms of queueing for seconds at
 * a quarter of the link's rate). So each packet is resent at most twice, and resends take at most
 * a share of the target rate. Random loss of a few percent still gets every packet back.
 */

const MAX_RESENDS = 2;
const SHARE_OF_TARGET = 0.3;
const WINDOW_MS = 250;
/** Resends are counted as full packets (the size of a resent packet is not known here). */
const PACKET_BYTES = 1200;
const REMEMBERED = 4096;

export class RetransmissionBudget {
  private readonly resends = new Map<number, number>();
  private windowStart = -Infinity;
  private windowBytes = 0;
  targetKbps: number;

  constructor(targetKbps: number) {
    this.targetKbps = targetKbps;
  }

  /** The sequence numbers of `lost` to resend now. */
  allow(lost: readonly number[], nowMs: number): number[] {
    if (nowMs - this.windowStart >= WINDOW_MS) {
      this.windowStart = nowMs;
      this.windowBytes = 0;
    }
    const budget = (SHARE_OF_TARGET * this.targetKbps * WINDOW_MS) / 8;
    const out: number[] = [];
    for (const seq of lost) {
      const count = this.resends.get(seq) ?? 0;
      if (count >= MAX_RESENDS || this.windowBytes + PACKET_BYTES > budget) continue;
      this.resends.delete(seq); // re-inserted last: the map stays in recency order
      this.resends.set(seq, count + 1);
      this.windowBytes += PACKET_BYTES;
      out.push(seq);
    }
    while (this.resends.size > REMEMBERED) this.resends.delete(this.resends.keys().next().value!);
    return out;
  }
}
