import { describe, expect, it } from 'vitest';
import { CreateShareBody, UpdateShareBody } from '@vitrine/protocol';
import { checkShareApps, offeredApps, requireSharedApp } from './share-apps.ts';

const NAMES: Record<string, string> = { 'file-explorer': 'File Explorer', gallery: 'Gallery' };
const appName = (id: string) => NAMES[id];

describe('checkShareApps', () => {
  it('keeps installed apps once each, in the order the owner named them', () => {
    expect(checkShareApps(['gallery', 'file-explorer', 'gallery'], appName)).toEqual(['gallery', 'file-explorer']);
  });

  it('refuses an app that is not installed with a 400 naming it', () => {
    let caught: unknown;
    try {
      checkShareApps(['file-explorer', 'xclock', 'nope'], appName);
    } catch (err) {
      caught = err;
    }
    expect(caught).toMatchObject({ status: 400, code: 'unknown-app' });
    expect((caught as Error).message).toBe('apps: no app "xclock", "nope" is installed on this server');
  });
});

describe('requireSharedApp', () => {
  const share = { id: 's1', ownerId: 'o1', apps: ['gallery'] };

  it('lets a share open in an app it names', () => {
    expect(() => requireSharedApp(share, 'gallery')).not.toThrow();
  });

  it('refuses any other app with 403 app-not-shared, naming the share and the app for the trail', () => {
    let caught: unknown;
    try {
      requireSharedApp(share, 'file-explorer');
    } catch (err) {
      caught = err;
    }
    expect(caught).toMatchObject({
      status: 403,
      code: 'app-not-shared',
      about: { shareId: 's1', ownerId: 'o1', detail: { app: 'file-explorer', sharedApps: ['gallery'] } },
    });
  });
});

describe('offeredApps', () => {
  it('offers the installed ones with their names, in the share’s order', () => {
    expect(offeredApps(['gallery', 'gone', 'file-explorer'], appName)).toEqual([
      { id: 'gallery', name: 'Gallery' },
      { id: 'file-explorer', name: 'File Explorer' },
    ]);
    expect(offeredApps(['gone'], appName)).toEqual([]);
  });
});

describe('the share schemas', () => {
  const base = {
    clientEmail: 'c@example.test',
    paths: [{ path: 'Reports', access: 'view' }],
    expiresAt: '2100-01-01T00:00:00Z',
  };

  it('leave a new share’s apps to the server’s default and take a list of app ids', () => {
    expect(CreateShareBody.parse(base).apps).toBeUndefined();
    expect(CreateShareBody.parse({ ...base, apps: ['gallery', 'diag_2.x'] }).apps).toEqual(['gallery', 'diag_2.x']);
    expect(UpdateShareBody.parse({ apps: ['gallery'] }).apps).toEqual(['gallery']);
  });

  it('refuse an empty list, too many apps and ids no app folder can have', () => {
    for (const apps of [
      [],
      Array.from({ length: 17 }, (_, i) => `app${i}`),
      ['../x'],
      ['Gallery'],
      ['-x'],
      ['a'.repeat(64)],
    ]) {
      expect(CreateShareBody.safeParse({ ...base, apps }).success, JSON.stringify(apps)).toBe(false);
      expect(UpdateShareBody.safeParse({ apps }).success, JSON.stringify(apps)).toBe(false);
    }
  });
});
