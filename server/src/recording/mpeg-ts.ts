/**
 * A minimal MPEG transport stream writer for one H.264 stream. Transport streams suit a
 * recording that must survive a crash: there is no index to write at the end, the parameter
 * sets travel in the stream (a new picture size needs no new header), and segments cut at any
 * packet boundary concatenate back into one stream. Pure: bytes in, bytes out.
 */

const PACKET = 188;
const PAT_PID = 0x0000;
const PMT_PID = 0x1000;
const VIDEO_PID = 0x0100;
const STREAM_TYPE_H264 = 0x1b;
/** The access unit delimiter put before each picture (some demuxers want one per PES). */
const AUD = Buffer.from([0, 0, 0, 1, 0x09, 0xf0]);
const PTS_WRAP = 2 ** 33;

export class TransportStreamWriter {
  private readonly counters = new Map<number, number>();

  /** PAT and PMT: what each segment starts with, so it can be read on its own. */
  tables(): Buffer {
    const pat = section(0x00, [0x00, 0x01, 0xe0 | (PMT_PID >> 8), PMT_PID & 0xff]);
    const pmt = section(0x02, [
      0xe0 | (VIDEO_PID >> 8),
      VIDEO_PID & 0xff, // PCR PID
      0xf0,
      0x00, // no program descriptors
      STREAM_TYPE_H264,
      0xe0 | (VIDEO_PID >> 8),
      VIDEO_PID & 0xff,
      0xf0,
      0x00,
    ]);
    return Buffer.concat([
      this.packets(PAT_PID, Buffer.concat([Buffer.from([0]), pat]), true),
      this.packets(PMT_PID, Buffer.concat([Buffer.from([0]), pmt]), true),
    ]);
  }

  /** One picture (Annex B) at `pts` (90 kHz; wrapped to 33 bits) as transport packets. */
  picture(annexB: Buffer, pts: number, keyframe: boolean): Buffer {
    const p = ((pts % PTS_WRAP) + PTS_WRAP) % PTS_WRAP;
    const header = Buffer.alloc(14);
    header.writeUInt32BE(0x000001e0, 0);
    header.writeUInt16BE(0, 4); // unbounded: allowed for video
    header[6] = 0x80;
    header[7] = 0x80; // PTS only (no B-frames: decode order is presentation order)
    header[8] = 5;
    writeTimestamp(header, 9, 0x20, p);
    // The clock reference trails the picture slightly, as a decoder's buffer would.
    const pcr = (p - 900 + PTS_WRAP) % PTS_WRAP;
    return this.packets(VIDEO_PID, Buffer.concat([header, AUD, annexB]), true, { pcr, randomAccess: keyframe });
  }

  private packets(
    pid: number,
    payload: Buffer,
    unitStart: boolean,
    first?: { pcr: number; randomAccess: boolean },
  ): Buffer {
    const out: Buffer[] = [];
    let offset = 0;
    let isFirst = true;
    while (offset < payload.length || isFirst) {
      const adaptation = isFirst && first ? pcrField(first.pcr, first.randomAccess) : undefined;
      const room = PACKET - 4 - (adaptation ? adaptation.length : 0);
      const take = Math.min(room, payload.length - offset);
      const stuffing = room - take;
      const packet = Buffer.alloc(PACKET, 0xff);
      const cc = this.counters.get(pid) ?? 0;
      this.counters.set(pid, (cc + 1) & 0x0f);
      const hasAdaptation = adaptation !== undefined || stuffing > 0;
      packet[0] = 0x47;
      packet[1] = ((isFirst && unitStart ? 1 : 0) << 6) | (pid >> 8);
      packet[2] = pid & 0xff;
      packet[3] = ((hasAdaptation ? 3 : 1) << 4) | cc;
      let at = 4;
      if (hasAdaptation) {
        // Stuffing lives in the adaptation field: its length byte, flags, then 0xff bytes.
        const fields = adaptation ?? Buffer.alloc(0);
        const length = (fields.length > 0 ? fields.length - 1 : 0) + stuffing;
        if (fields.length === 0) {
          packet[at] = stuffing - 1;
          if (stuffing > 1) packet[at + 1] = 0x00;
          at += stuffing;
        } else {
          packet[at] = length;
          fields.copy(packet, at + 1, 1);
          at += fields.length + stuffing;
        }
      }
      payload.copy(packet, at, offset, offset + take);
      offset += take;
      isFirst = false;
      out.push(packet);
    }
    return Buffer.concat(out);
  }
}

/** An adaptation field (its length byte first) carrying the PCR, and whether decoding may start here. */
function pcrField(pcr: number, randomAccess: boolean): Buffer {
  const f = Buffer.alloc(8);
  f[0] = 7;
  f[1] = 0x10 | (randomAccess ? 0x40 : 0);
  const high = Math.floor(pcr / 2 ** 25); // top 8 of the 33 bits
  const low = pcr % 2 ** 25;
  f[2] = high & 0xff;
  f[3] = (low >>> 17) & 0xff;
  f[4] = (low >>> 9) & 0xff;
  f[5] = (low >>> 1) & 0xff;
  f[6] = ((low & 1) << 7) | 0x7e; // extension 0
  f[7] = 0;
  return f;
}

/** PTS in the PES header's 5-byte form (marker bits set). */
function writeTimestamp(buf: Buffer, at: number, prefix: number, ts: number): void {
  const top = Math.floor(ts / 2 ** 30) & 0x07;
  const low = ts % 2 ** 30;
  buf[at] = prefix | (top << 1) | 1;
  buf[at + 1] = (low >>> 22) & 0xff;
  buf[at + 2] = (((low >>> 15) & 0x7f) << 1) | 1;
  buf[at + 3] = (low >>> 7) & 0xff;
  buf[at + 4] = ((low & 0x7f) << 1) | 1;
}

/** A PSI section: table id, syntax header (id 1, version 0, current), body, CRC. */
function section(tableId: number, body: number[]): Buffer {
  const idField = tableId === 0x00 ? [0x00, 0x01] : [0x00, 0x01]; // transport stream id / program number
  const content = [...idField, 0xc1, 0x00, 0x00, ...body];
  const length = content.length + 4;
  const head = [tableId, 0xb0 | (length >> 8), length & 0xff];
  const bytes = Buffer.from([...head, ...content, 0, 0, 0, 0]);
  bytes.writeUInt32BE(crc32Mpeg(bytes.subarray(0, bytes.length - 4)), bytes.length - 4);
  return bytes;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 24;
    for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
    t[i] = c >>> 0;
  }
  return t;
})();

/** CRC-32/MPEG-2 (no reflection, no final xor). */
export function crc32Mpeg(data: Buffer): number {
  let crc = 0xffffffff;
  for (const b of data) crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ b) & 0xff]!) >>> 0;
  return crc >>> 0;
}
