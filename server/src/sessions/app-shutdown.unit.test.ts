import { describe, expect, it } from 'vitest';
import { appEndReason, shutdownGraceMs } from './app-shutdown.ts';

describe('app shutdown', () => {
  it('gives the app its grace period when the person, a limit of the share or the server ends the session', () => {
    for (const reason of ['user ended', 'idle timeout', 'peer gone', 'server shutdown', 'share revoked'] as const) {
      expect(shutdownGraceMs(reason, 3000)).toBe(3000);
    }
  });

  it('kills at once an app that broke a limit, is gone already, or never started', () => {
    for (const reason of [
      'out of memory',
      'cpu limit',
      'process limit',
      'app exited',
      'app crashed',
      'error',
    ] as const) {
      expect(shutdownGraceMs(reason, 3000)).toBe(0);
    }
    expect(shutdownGraceMs('user ended', -5)).toBe(0);
  });

  it('tells a crash from a clean exit', () => {
    expect(appEndReason({ code: 0, signal: null })).toBe('app exited');
    expect(appEndReason({ code: 1, signal: null })).toBe('app crashed');
    expect(appEndReason({ code: null, signal: 'SIGSEGV' })).toBe('app crashed');
  });
});
