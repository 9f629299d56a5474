import { describe, expect, it } from 'vitest';
import { SessionEndReason } from '@vitrine/protocol';
import { describeEndReason } from './webrtcSession.ts';

describe('describeEndReason', () => {
  it('has a sentence for every reason the server may send', () => {
    for (const reason of SessionEndReason.options) {
      expect(describeEndReason(reason)).not.toMatch(/^The session ended \(/);
    }
  });

  it('explains share and sign-in ends in plain words', () => {
    expect(describeEndReason('share revoked')).toMatch(/^The owner revoked this share/);
    expect(describeEndReason('share expired')).toMatch(/share has expired/);
    expect(describeEndReason('time limit')).toMatch(/time limit/);
    expect(describeEndReason('something new')).toBe('The session ended (something new).');
  });
});
