import { describe, expect, it } from 'vitest';
import { describeQuality } from './networkQuality.ts';

describe('network quality notice', () => {
  it('says nothing at full quality', () => {
    expect(describeQuality(null)).toBeNull();
    expect(describeQuality({ type: 'quality', cause: null, targetKbps: 3000, framerate: 30, scale: 1 })).toBeNull();
  });

  it('says why and how much when the network limits the stream', () => {
    const text = describeQuality({ type: 'quality', cause: 'bandwidth', targetKbps: 420, framerate: 10, scale: 0.75 });
    expect(text).toContain('the connection is slow');
    expect(text).toContain('420 kbit/s');
    expect(text).toContain('10 frames/s');
    expect(text).toContain('75 % resolution');
    expect(describeQuality({ type: 'quality', cause: 'loss', targetKbps: 1500, framerate: 30, scale: 1 })).toContain(
      'losing many packets',
    );
  });
});
