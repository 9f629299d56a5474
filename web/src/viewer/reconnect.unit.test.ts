import { describe, expect, it } from 'vitest';
import type { SessionInfo } from '@vitrine/protocol';
import { ApiError } from '../shared/api.ts';
import { reconnectDelay, recoveryFor, reopenFailureIsPassing, stepAfterProbe } from './reconnect.ts';

const info = (over: Partial<SessionInfo>): SessionInfo => ({
  id: '00000000-0000-4000-8000-000000000001',
  appId: 'file-explorer',
  state: 'streaming',
  createdAt: '2025-01-01T00:00:00.000Z',
  display: { width: 1280, height: 720, framerate: 30 },
  shareId: '00000000-0000-4000-8000-0000000000aa',
  ...over,
});

describe('recoveryFor', () => {
  it('waits out a server restart, whenever it comes', () => {
    expect(recoveryFor({ kind: 'server-restarting', message: '' }, false)).toBe('restarting');
  });

  it('reconnects a connection that streamed, and ends one that never did (its message says why)', () => {
    for (const kind of ['signaling-lost', 'unreachable', 'ice-failed', 'timeout'] as const) {
      expect(recoveryFor({ kind, message: '' }, true)).toBe('reconnecting');
      expect(recoveryFor({ kind, message: '' }, false)).toBeNull();
    }
  });

  it('never fights a person: an end they chose, a share taken away, another tab', () => {
    for (const kind of ['user', 'server-bye', 'already-viewed', 'taken-over', 'unknown-session'] as const) {
      expect(recoveryFor({ kind, message: '' }, true)).toBeNull();
    }
  });
});

describe('reconnectDelay', () => {
  it('backs off from half a second to ten, spread by ±20 %', () => {
    expect([0, 1, 2, 3, 4, 5, 9].map((a) => reconnectDelay(a, () => 0.5))).toEqual([
      500, 1000, 2000, 4000, 8000, 10_000, 10_000,
    ]);
    expect(reconnectDelay(0, () => 0)).toBe(400);
    expect(reconnectDelay(0, () => 1)).toBe(600);
  });
});

describe('stepAfterProbe', () => {
  it('rejoins a session that is still alive (a network blip within its grace period)', () => {
    expect(stepAfterProbe({ info: info({ state: 'ready' }) })).toEqual({ do: 'rejoin' });
  });

  it('opens the same app on the same share again when the restart (or a lost worker) ended the session', () => {
    for (const endReason of ['server shutdown', 'server crash', 'worker lost']) {
      expect(stepAfterProbe({ info: info({ state: 'ended', endReason }) })).toEqual({
        do: 'reopen',
        appId: 'file-explorer',
        shareId: '00000000-0000-4000-8000-0000000000aa',
        reason: endReason,
      });
    }
    expect(stepAfterProbe({ info: info({ state: 'ended', endReason: 'server crash', shareId: null }) })).toMatchObject({
      do: 'reopen',
      shareId: undefined,
    });
  });

  it('says why when the session ended for another reason meanwhile', () => {
    expect(stepAfterProbe({ info: info({ state: 'ended', endReason: 'peer gone' }) })).toEqual({
      do: 'end',
      end: { kind: 'server-bye', reason: 'peer gone', message: 'The viewer connection was lost.' },
    });
  });

  it('keeps waiting while the server is away or starting, and stops at a refusal', () => {
    expect(stepAfterProbe({ error: new ApiError(0, 'unreachable', 'x') })).toEqual({ do: 'wait' });
    expect(stepAfterProbe({ error: new ApiError(503, 'busy', 'x') })).toEqual({ do: 'wait' });
    expect(stepAfterProbe({ error: new ApiError(404, 'unknown-session', 'x') })).toMatchObject({
      do: 'end',
      end: { kind: 'unknown-session' },
    });
    expect(stepAfterProbe({ error: new ApiError(403, 'forbidden', 'no') })).toMatchObject({ do: 'end' });
  });

  it('tries to open again after a passing failure only', () => {
    expect(reopenFailureIsPassing(new ApiError(0, 'unreachable', 'x'))).toBe(true);
    expect(reopenFailureIsPassing(new ApiError(403, 'forbidden', 'x'))).toBe(false);
  });
});
