import { describe, expect, it } from 'vitest';
import { matchRoute, sessionPath } from './router.ts';

describe('router', () => {
  it('matches the viewer route', () => {
    expect(matchRoute('/session/abc-123')).toEqual({ name: 'session', sessionId: 'abc-123' });
    expect(matchRoute('/session/abc/')).toEqual({ name: 'session', sessionId: 'abc' });
    expect(matchRoute('/')).toEqual({ name: 'apps' });
    expect(matchRoute('/session/')).toEqual({ name: 'apps' });
    expect(matchRoute('/session/%E0%A4%A')).toEqual({ name: 'apps' });
  });

  it('builds viewer paths', () => {
    expect(sessionPath('x y')).toBe('/session/x%20y');
    expect(sessionPath('x', 'vp8')).toBe('/session/x?codec=vp8');
  });
});
