import { describe, expect, it } from 'vitest';
import { prepareSandboxHost, SandboxUnavailableError, type HostReport } from './host.ts';

const good: HostReport = {
  userNamespaces: true,
  bubblewrap: 'bubblewrap 0.8.0',
  landlock: 'enforced',
  landlockDetail: 'LSM list: landlock',
  seccomp: true,
  cgroups: { version: 2, base: '/nonexistent/vitrine-test' },
  initHelper: true,
};

function logger() {
  const warnings: string[] = [];
  return { warnings, log: { warn: (_o: object, m: string) => warnings.push(m), info: () => {} } };
}

describe('prepareSandboxHost', () => {
  const opts = { bwrapPath: 'bwrap', runtimeDir: '/tmp/x', allowDegraded: false };

  it('runs confined sessions on a capable host', async () => {
    const { log, warnings } = logger();
    const host = await prepareSandboxHost(opts, log, good);
    expect(host).toMatchObject({ degraded: false, landlock: 'enforced', allowDegraded: false });
    expect(host.instance).toMatch(/^[0-9a-f]{12}$/);
    expect(warnings).toEqual([]);
  });

  it('refuses sessions without cgroups unless degraded mode is allowed', async () => {
    const err = await prepareSandboxHost(opts, logger().log, {
      ...good,
      cgroups: { version: 0, reason: 'no v1 "pids" hierarchy' },
    }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(SandboxUnavailableError);
    expect((err as Error).message).toMatch(/pids.*resource limits/);
  });

  it('refuses sessions without Landlock unless degraded mode is allowed, and then says so', async () => {
    const noLandlock: HostReport = {
      ...good,
      landlock: 'unavailable',
      landlockDetail: 'landlock unavailable',
      cgroups: { version: 0, reason: 'none' },
    };
    await expect(prepareSandboxHost(opts, logger().log, noLandlock)).rejects.toThrow(
      /Landlock is not available.*SANDBOX_ALLOW_DEGRADED/,
    );
    const { log, warnings } = logger();
    const host = await prepareSandboxHost({ ...opts, allowDegraded: true }, log, noLandlock);
    expect(host.degraded).toBe(true);
    expect(host.landlock).toBe('unavailable');
    expect(warnings.join('\n')).toMatch(/DEGRADED SANDBOX: Landlock/);
    expect(warnings.join('\n')).toMatch(/DEGRADED SANDBOX: no cgroups/);
  });

  it('refuses to run without bubblewrap or the init helper, whatever the mode', async () => {
    await expect(
      prepareSandboxHost({ ...opts, allowDegraded: true }, logger().log, { ...good, bubblewrap: null }),
    ).rejects.toThrow(/bubblewrap not found/);
    await expect(
      prepareSandboxHost({ ...opts, allowDegraded: true }, logger().log, { ...good, initHelper: false }),
    ).rejects.toThrow(/init helper missing/);
  });
});
