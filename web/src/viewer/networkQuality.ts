import type { NetworkLimit, ServerSignal } from '@vitrine/protocol';
import { formatBitrate } from './stats.ts';

export type QualityNotice = Extract<ServerSignal, { type: 'quality' }>;

const CAUSE: Record<NetworkLimit, string> = {
  bandwidth: 'the connection is slow',
  loss: 'the connection is losing many packets',
};

/** What the viewer says when the server lowered the stream for the network; null at full quality. */
export function describeQuality(q: QualityNotice | null): string | null {
  if (!q || q.cause === null) return null;
  const shape = [`${q.framerate} frames/s`, ...(q.scale < 1 ? [`${Math.round(q.scale * 100)} % resolution`] : [])];
  return `Reduced quality: ${CAUSE[q.cause]} (about ${formatBitrate(q.targetKbps * 1000)}, ${shape.join(', ')}). It recovers by itself when the network does.`;
}
