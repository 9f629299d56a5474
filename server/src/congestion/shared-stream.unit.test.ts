import { describe, expect, it } from 'vitest';
import { lowestEncoding, sameEncoding } from './shared-stream.ts';

describe('one stream for several viewers', () => {
  it('is sent at the lowest each viewer allows, field by field', () => {
    const client = { bitrateKbps: 3000, framerate: 30, scale: 1 };
    const watcherOnAPoorLink = { bitrateKbps: 600, framerate: 30, scale: 0.75 };
    const watcherSlowFrames = { bitrateKbps: 2000, framerate: 15, scale: 1 };
    expect(lowestEncoding([client])).toEqual(client);
    expect(lowestEncoding([client, watcherOnAPoorLink, watcherSlowFrames])).toEqual({
      bitrateKbps: 600,
      framerate: 15,
      scale: 0.75,
    });
    expect(lowestEncoding([])).toBeUndefined();
  });

  it('tells an unchanged choice from a new one (no encoder switch for nothing)', () => {
    const e = { bitrateKbps: 600, framerate: 15, scale: 0.75 };
    expect(sameEncoding(e, { ...e })).toBe(true);
    expect(sameEncoding(e, { ...e, scale: 1 })).toBe(false);
    expect(sameEncoding(undefined, e)).toBe(false);
  });
});
