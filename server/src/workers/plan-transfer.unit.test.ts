import { describe, expect, it } from 'vitest';
import type { App } from '../apps/registry.ts';
import { DomainError } from '../errors.ts';
import { localizePinnedPlan, localizePlan, type WorkerLocals } from './plan-transfer.ts';

const SID = '11111111-1111-4111-8111-111111111111';
const V1 = '1'.repeat(64);
const V2 = '2'.repeat(64);
const app = (dir: string, hash = V1) =>
  ({
    id: 'viewer',
    dir,
    binaryPath: `${dir}/bin/viewer`,
    manifest: { etc: { 'fonts.conf': 'etc/fonts.conf' } },
    hash,
  }) as unknown as App;

/** A plan as the API tier made it, after a trip through JSON (its host paths are the API's). */
const sent = (
  grants = [{ hostPath: '/srv/shared/storage/o1/Reports', sandboxPath: '/files/Reports', access: 'read' }],
) =>
  JSON.parse(
    JSON.stringify({
      sessionId: SID,
      app: app('/opt/api/apps/viewer'),
      launch: { userId: 'u1' },
      origin: { ip: '203.0.113.9', userAgent: null, correlationId: 'c' },
      rules: { graceMs: 1 },
      runtime: {
        sessionId: SID,
        ice: { from: 'api' },
        policy: {
          sessionDir: `/run/api/sessions/${SID}`,
          appDir: '/opt/api/apps/viewer',
          binary: 'bin/viewer',
          grants,
          nodeRuntime: '/opt/api/node',
          etcFiles: { '/etc/fonts.conf': '/opt/api/apps/viewer/etc/fonts.conf' },
          limits: { memoryBytes: 1, pids: 2, cpu: 0.5 },
        },
      },
    }),
  ) as unknown;

const here: WorkerLocals = {
  findApp: (id) => (id === 'viewer' ? app('/opt/worker/apps/viewer') : undefined),
  sessionsDir: '/run/worker/sessions',
  storageDir: '/srv/shared/storage',
  nodeRuntime: () => '/opt/worker/node',
  iceFor: () => ({ from: 'worker' }) as never,
};

describe('a launch plan sent to a worker', () => {
  it("takes the worker's app, session folder, Node.js and ICE, and keeps what was decided", () => {
    const plan = localizePlan(sent(), here);
    expect(plan.runtime.policy).toMatchObject({
      sessionDir: `/run/worker/sessions/${SID}`,
      appDir: '/opt/worker/apps/viewer',
      binary: 'bin/viewer',
      nodeRuntime: '/opt/worker/node',
      etcFiles: { '/etc/fonts.conf': '/opt/worker/apps/viewer/etc/fonts.conf' },
      grants: [{ hostPath: '/srv/shared/storage/o1/Reports', sandboxPath: '/files/Reports', access: 'read' }],
      limits: { memoryBytes: 1, pids: 2, cpu: 0.5 },
    });
    expect(plan.runtime.ice).toEqual({ from: 'worker' });
    expect(plan.app.dir).toBe('/opt/worker/apps/viewer');
    expect(plan.origin?.ip).toBe('203.0.113.9');
  });

  it('is refused with a grant outside the shared storage, however it is spelled', () => {
    for (const hostPath of [
      '/etc',
      '/srv/shared/storage',
      '/srv/shared/storage/../secrets',
      '/srv/shared/storage-x/a',
    ]) {
      expect(() => localizePlan(sent([{ hostPath, sandboxPath: '/files/x', access: 'read' }]), here)).toThrow(
        /outside the shared storage/,
      );
    }
  });

  it('is refused for an app this worker lacks, or when it is not a plan', () => {
    const unknown = { ...(sent() as object), app: { id: 'other' } };
    expect(() => localizePlan(unknown, here)).toThrow(DomainError);
    expect(() => localizePlan({ sessionId: 'x' }, here)).toThrow(/not a launch plan/);
    const mismatched = sent() as { runtime: { sessionId: string } };
    mismatched.runtime.sessionId = '22222222-2222-4222-8222-222222222222';
    expect(() => localizePlan(mismatched, here)).toThrow(/not a launch plan/);
    const unpinned = sent() as { app: { hash?: string } };
    delete unpinned.app.hash;
    expect(() => localizePlan(unpinned, here)).toThrow(/not a launch plan/);
  });
});

describe('the version of the app', () => {
  const pinnedTo = (hash: string) => ({ ...(sent() as object), app: { ...app('/opt/api/apps/viewer'), hash } });

  it('is refused when this worker has another one than the API tier planned, saying which', () => {
    expect(() => localizePlan(pinnedTo(V2), here)).toThrow(
      /this worker's app "viewer" is version 111111111111, the launch was planned on 222222222222/,
    );
    try {
      localizePlan(pinnedTo(V2), here);
    } catch (err) {
      expect(err).toMatchObject({ status: 409, code: 'app-changed' });
    }
  });

  it('a worker rescans its apps once, and runs the planned version if its folder now holds it', async () => {
    let installed = V1;
    let reloads = 0;
    const worker: WorkerLocals = {
      ...here,
      findApp: (id) => (id === 'viewer' ? app('/opt/worker/apps/viewer', installed) : undefined),
      reloadApps: async () => {
        reloads++;
        installed = V2;
      },
    };
    const plan = await localizePinnedPlan(pinnedTo(V2), worker);
    expect(plan.app.hash).toBe(V2);
    expect(reloads).toBe(1);
    // Its folder holds yet another version: refused after one rescan.
    await expect(localizePinnedPlan(pinnedTo('3'.repeat(64)), worker)).rejects.toThrow(/planned on 333333333333/);
    expect(reloads).toBe(2);
    // The version it has: no rescan at all.
    await localizePinnedPlan(pinnedTo(V2), worker);
    expect(reloads).toBe(2);
  });
});
