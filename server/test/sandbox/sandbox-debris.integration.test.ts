import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/start-sandbox.ts';
import { AttackHarness } from './attack-harness.ts';
import { processesMentioning, processTree } from '../helpers.ts';

// In a file of its own, so that nothing an earlier test started is still closing down while
// the host is being compared before and after.
const h = new AttackHarness();
beforeAll(() => h.init());
afterAll(() => h.cleanup());

describe('no debris', () => {
  function snapshot() {
    // Session cgroups are the directories below this harness's instance group.
    const cgroupDirs = (dir: string): string[] => {
      try {
        return fs
          .readdirSync(dir, { recursive: true, withFileTypes: true })
          .filter((e) => e.isDirectory())
          .map((e) => path.join(e.parentPath, e.name));
      } catch {
        return [];
      }
    };
    const groups =
      h.host.cgroups.version === 1
        ? Object.values(h.host.cgroups.bases).flatMap((b) => cgroupDirs(path.join(b, `vitrine-${h.host.instance}`)))
        : [];
    return {
      // Processes of this suite's sandboxes name its folder; inner ones are children of those.
      processes: processesMentioning(h.root).flatMap((p) => processTree(p.pid)).length,
      mounts: fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').length,
      sessions: fs.readdirSync(h.sessionsDir).filter((d) => d !== 'other'),
      groups,
      fds: fs.readdirSync('/proc/self/fd').length,
    };
  }

  it('after 100 sandboxes started and ended, the host has exactly what it had before', async () => {
    // With a shared folder, so each also starts and stops a grant filesystem (a root server's way).
    const shared = h.dir('shared', { 'a.txt': 'a' });
    const grants = [{ hostPath: shared, sandboxPath: '/files/shared', access: 'read-write' as const }];
    const before = snapshot();
    for (let i = 0; i < 100; i++) {
      const policy = h.policy('sleep 30', { grants });
      const s = await startSandbox(h.host, policy, 10_000, `loop${i}`);
      await s.ready;
      await s.destroyed();
      fs.rmSync(policy.sessionDir, { recursive: true, force: true });
    }
    expect(snapshot()).toEqual(before);
  }, 120_000);
});
