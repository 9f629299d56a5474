/**
 * Turns the session's H.264 RTP stream (RFC 6184, as FFmpeg packetizes it: single NAL units,
 * STAP-A and FU-A) back into access units, exactly the bytes the viewers decode. Pure: it sees
 * packets, never sockets or files.
 */

export interface AccessUnit {
  /** The frame's RTP timestamp (90 kHz, the session's video clock). */
  rtpTimestamp: number;
  /** Its NAL units in Annex B form (start codes included), ready for a byte-stream container. */
  annexB: Buffer;
  /** An IDR picture: decoding can start here. */
  keyframe: boolean;
  /** The sequence parameter set it carries (with its IDR), if any. */
  sps: Buffer | undefined;
}

const START_CODE = Buffer.from([0, 0, 0, 1]);
const NAL_IDR = 5;
const NAL_SPS = 7;
const STAP_A = 24;
const FU_A = 28;

/** Where an RTP packet's payload starts and ends (CSRCs, header extension and padding skipped). */
export function rtpPayload(packet: Buffer): { start: number; end: number } | undefined {
  if (packet.length < 12 || packet[0]! >> 6 !== 2) return undefined;
  let start = 12 + 4 * (packet[0]! & 0x0f);
  if (packet[0]! & 0x10) {
    if (packet.length < start + 4) return undefined;
    start += 4 + 4 * packet.readUInt16BE(start + 2);
  }
  const end = packet[0]! & 0x20 ? packet.length - packet[packet.length - 1]! : packet.length;
  return start <= end ? { start, end } : undefined;
}

export class AccessUnitAssembler {
  private nals: Buffer[] = [];
  private timestamp: number | undefined;
  private fragments: Buffer[] | undefined;
  private expectedSeq: number | undefined;
  /** A packet of the current frame was lost: the frame is dropped, not handed on damaged. */
  private damaged = false;
  /** Frames dropped as damaged (none on the in-process path; counted to prove it). */
  dropped = 0;

  /** Feeds one RTP packet; returns the access unit it completes, if any. */
  push(packet: Buffer): AccessUnit[] {
    const done: AccessUnit[] = [];
    const where = rtpPayload(packet);
    if (!where) return done;
    const seq = packet.readUInt16BE(2);
    const ts = packet.readUInt32BE(4);
    const marker = (packet[1]! & 0x80) !== 0;
    if (this.timestamp !== undefined && ts !== this.timestamp) {
      // A frame whose last packet had no marker: it ends where the next begins.
      const unit = this.finish();
      if (unit) done.push(unit);
    }
    if (this.expectedSeq !== undefined && seq !== this.expectedSeq) this.damaged = true;
    this.expectedSeq = (seq + 1) & 0xffff;
    this.timestamp = ts;
    this.payload(packet.subarray(where.start, where.end));
    if (marker) {
      const unit = this.finish();
      if (unit) done.push(unit);
    }
    return done;
  }

  /** Forgets a half-received frame (the stream stopped or restarts with new numbering). */
  reset(): void {
    this.nals = [];
    this.fragments = undefined;
    this.timestamp = undefined;
    this.expectedSeq = undefined;
    this.damaged = false;
  }

  private payload(p: Buffer): void {
    if (p.length === 0) return;
    const type = p[0]! & 0x1f;
    if (type === STAP_A) {
      for (let i = 1; i + 2 <= p.length;) {
        const size = p.readUInt16BE(i);
        i += 2;
        if (size === 0 || i + size > p.length) {
          this.damaged = true;
          return;
        }
        this.nals.push(Buffer.from(p.subarray(i, i + size)));
        i += size;
      }
    } else if (type === FU_A) {
      if (p.length < 2) return;
      const start = (p[1]! & 0x80) !== 0;
      const end = (p[1]! & 0x40) !== 0;
      if (start) this.fragments = [Buffer.from([(p[0]! & 0xe0) | (p[1]! & 0x1f)])];
      else if (!this.fragments) {
        this.damaged = true;
        return;
      }
      this.fragments.push(Buffer.from(p.subarray(2)));
      if (end) {
        this.nals.push(Buffer.concat(this.fragments));
        this.fragments = undefined;
      }
    } else if (type >= 1 && type <= 23) {
      this.nals.push(Buffer.from(p));
    }
  }

  private finish(): AccessUnit | undefined {
    const nals = this.nals;
    const damaged = this.damaged || this.fragments !== undefined;
    const ts = this.timestamp!;
    this.nals = [];
    this.fragments = undefined;
    this.damaged = false;
    if (nals.length === 0) return undefined;
    if (damaged) {
      this.dropped++;
      return undefined;
    }
    const parts: Buffer[] = [];
    let keyframe = false;
    let sps: Buffer | undefined;
    for (const nal of nals) {
      const type = nal[0]! & 0x1f;
      if (type === NAL_IDR) keyframe = true;
      if (type === NAL_SPS) sps = nal;
      parts.push(START_CODE, nal);
    }
    return { rtpTimestamp: ts, annexB: Buffer.concat(parts), keyframe, sps };
  }
}
