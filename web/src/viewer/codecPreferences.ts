/**
 * Codec preference ordering for the viewer's `?codec=h264|vp8` parameter. The server's offer
 * carries H.264 (constrained baseline) and VP8; the answerer picks, so the viewer orders its
 * receive capabilities with `RTCRtpTransceiver.setCodecPreferences` before `createAnswer`.
 */

export type CodecChoice = 'h264' | 'vp8';

/** Minimal shape of RTCRtpCodec (named RTCRtpCodecCapability in older DOM typings). */
export interface CodecCapability {
  mimeType: string;
  clockRate: number;
  channels?: number;
  sdpFmtpLine?: string;
}

const MIME: Record<CodecChoice, string> = { h264: 'video/h264', vp8: 'video/vp8' };

/** Payload types that are not a picture codec on their own: retransmission, redundancy, FEC. */
const AUXILIARY = new Set(['video/rtx', 'video/red', 'video/ulpfec', 'video/flexfec-03']);

export function parseCodecChoice(value: string | null | undefined): CodecChoice | null {
  const v = value?.trim().toLowerCase();
  return v === 'h264' || v === 'vp8' ? v : null;
}

export function isAuxiliaryCodec(mimeType: string): boolean {
  const m = mimeType.toLowerCase();
  return AUXILIARY.has(m) || m.startsWith('video/flexfec');
}

/**
 * Returns the capabilities reordered: entries of the chosen codec first (for H.264 constrained
 * baseline with packetization-mode=1 before other profiles), then the remaining picture codecs in
 * their original order, then rtx/red/ulpfec/flexfec. Only entries of `capabilities` are returned;
 * nothing is invented. With no choice (or a choice the browser cannot receive) the primary codecs
 * keep the browser's order.
 */
export function orderCodecPreferences<T extends CodecCapability>(
  capabilities: readonly T[],
  choice: CodecChoice | null,
): T[] {
  const wanted = choice ? MIME[choice] : null;
  const chosen: T[] = [];
  const others: T[] = [];
  const auxiliary: T[] = [];
  for (const c of capabilities) {
    const mime = c.mimeType.toLowerCase();
    if (isAuxiliaryCodec(mime)) auxiliary.push(c);
    else if (wanted !== null && mime === wanted) chosen.push(c);
    else others.push(c);
  }
  if (choice === 'h264') {
    // Stable sort: best-matching H.264 variant for the server's constrained-baseline encoder first.
    chosen.sort((a, b) => h264Rank(a) - h264Rank(b));
  }
  return [...chosen, ...others, ...auxiliary];
}

/** True when the browser can receive the chosen codec at all. */
export function supportsCodec(capabilities: readonly CodecCapability[], choice: CodecChoice): boolean {
  return capabilities.some((c) => c.mimeType.toLowerCase() === MIME[choice]);
}

function h264Rank(c: CodecCapability): number {
  const fmtp = parseFmtp(c.sdpFmtpLine);
  const profile = (fmtp.get('profile-level-id') ?? '').toLowerCase();
  const mode = fmtp.get('packetization-mode') ?? '0';
  // profile_idc 0x42 with constraint_set1 (0xe0 / 0x40 style) = constrained baseline.
  let rank: number;
  if (profile.startsWith('42e0') || profile.startsWith('4240')) rank = 0;
  else if (profile.startsWith('4200')) rank = 2;
  else rank = 4;
  if (mode !== '1') rank += 1;
  return rank;
}

function parseFmtp(line: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!line) return out;
  for (const part of line.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  return out;
}

/** "video/H264" → "H264"; used for display. */
export function codecLabel(mimeType: string | undefined | null): string | null {
  if (!mimeType) return null;
  const slash = mimeType.indexOf('/');
  return slash >= 0 ? mimeType.slice(slash + 1) : mimeType;
}
