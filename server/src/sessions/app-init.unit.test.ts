import { describe, expect, it } from 'vitest';
import { ServerInit } from '@vitrine/protocol';
import type { LaunchPlan } from '../launch/plan.ts';
import type { SandboxPolicy } from '../sandbox/sandbox.ts';
import { appInit } from './app-init.ts';

/** Only what `appInit` reads of a plan; the rest of a launch plan does not matter here. */
function planWith(policy: Partial<SandboxPolicy>): LaunchPlan {
  return {
    origin: { viewer: { locale: 'fr-CH', timeZone: 'Europe/Zurich' } },
    runtime: {
      resizable: null,
      policy: {
        display: { width: 1280, height: 720 },
        grants: [
          { hostPath: '/srv/storage/o1/Reports', sandboxPath: '/files/Reports', access: 'read-write' },
          { hostPath: '/srv/storage/o1/notes.txt', sandboxPath: '/files/notes.txt', access: 'read' },
        ],
        ...policy,
      },
    },
  } as unknown as LaunchPlan;
}

describe("the app's init", () => {
  it('names what the person asked to see first, by its sandbox path', () => {
    const init = appInit(planWith({ openPath: '/files/Reports/q3.pdf' }), undefined);
    expect(init).toMatchObject({
      grants: [
        { path: '/files/Reports', rights: ['read', 'write'] },
        { path: '/files/notes.txt', rights: ['read'] },
      ],
      open: '/files/Reports/q3.pdf',
      locale: 'fr-CH',
      timeZone: 'Europe/Zurich',
    });
    expect(ServerInit.safeParse({ v: 2, type: 'init', ...init }).success).toBe(true);
  });

  it('leaves `open` out when there is nothing to open', () => {
    for (const openPath of [undefined, null]) {
      const init = appInit(planWith({ openPath }), undefined);
      expect(init).not.toHaveProperty('open');
      expect(ServerInit.safeParse({ v: 2, type: 'init', ...init }).success).toBe(true);
    }
  });
});
