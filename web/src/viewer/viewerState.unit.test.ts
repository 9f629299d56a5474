import { describe, expect, it } from 'vitest';
import { SessionEndReason } from '@vitrine/protocol';
import {
  canEndSession,
  describeEndReason,
  reopenCause,
  endSeverity,
  endTitle,
  overlayText,
  progressText,
  type SessionEnd,
} from './viewerState.ts';

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

describe('the end message', () => {
  it('names share and sign-in ends after what happened, as warnings', () => {
    const end: SessionEnd = { kind: 'server-bye', reason: 'share revoked', message: '' };
    expect(endTitle(end)).toBe('Share revoked');
    expect(endSeverity(end)).toBe('warning');
  });

  it('treats an app or a person ending the session as news, and failures as errors', () => {
    expect(endSeverity({ kind: 'server-bye', reason: 'app exited', message: '' })).toBe('info');
    expect(endTitle({ kind: 'server-bye', reason: 'app exited', message: '' })).toBe('Session ended');
    expect(endSeverity({ kind: 'server-bye', reason: 'app crashed', message: '' })).toBe('warning');
    expect(endTitle({ kind: 'server-bye', reason: 'app crashed', message: '' })).toBe('The app stopped');
    expect(endSeverity({ kind: 'user', message: '' })).toBe('info');
    expect(endSeverity({ kind: 'already-viewed', message: '' })).toBe('info');
    expect(endTitle({ kind: 'taken-over', message: '' })).toBe('Opened in another tab');
    expect(endSeverity({ kind: 'ice-failed', message: '' })).toBe('error');
    expect(endTitle({ kind: 'timeout', message: '' })).toBe('Connection problem');
  });

  it('offers "End session" only while there may be something to end', () => {
    expect(canEndSession(null)).toBe(true);
    expect(canEndSession({ kind: 'ice-failed', message: '' })).toBe(true);
    expect(canEndSession({ kind: 'server-bye', message: '' })).toBe(false);
    expect(canEndSession({ kind: 'already-viewed', message: '' })).toBe(false);
    expect(canEndSession({ kind: 'taken-over', message: '' })).toBe(false);
  });
});

describe('progressText', () => {
  it('says what the viewer waits for, and nothing once streaming or over', () => {
    expect(progressText('negotiating')).toBe('Connecting…');
    expect(progressText('streaming')).toBeUndefined();
    expect(progressText('connected')).toBeUndefined();
    expect(progressText('ended')).toBeUndefined();
  });
});

describe('overlayText', () => {
  const base = { recovery: null, appShown: false, appName: 'File Explorer', ended: false };

  it('says the app is opening once streaming, until its picture shows', () => {
    expect(overlayText('negotiating', base)).toMatchObject({ kind: 'connecting', text: 'Connecting…' });
    expect(overlayText('streaming', base)).toMatchObject({ kind: 'opening', text: 'Opening File Explorer…' });
    expect(overlayText('streaming', { ...base, appShown: true })).toBeUndefined();
  });

  it('puts a recovery first, and nothing over an end message', () => {
    const restarting = { ...base, appShown: true, recovery: { kind: 'restarting' as const, attempt: 2 } };
    expect(overlayText('reconnecting', restarting)).toMatchObject({
      kind: 'restarting',
      text: 'The server is restarting…',
    });
    expect(overlayText('connecting', { ...base, recovery: { kind: 'reopening', attempt: 1 } })?.text).toBe(
      'Opening File Explorer again…',
    );
    expect(overlayText('error', { ...restarting, ended: true })).toBeUndefined();
  });
});

describe('reopenCause', () => {
  it('names a restart as one, and a lost worker as the server that ran the session stopping', () => {
    expect(reopenCause('server shutdown')).toBe('The server restarted');
    expect(reopenCause('server crash')).toBe('The server restarted');
    expect(reopenCause('worker lost')).toBe('The server running this session stopped');
  });
});
