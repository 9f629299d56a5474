import { listenDeferredControl } from '../control/deferred-control.ts';
import { controlSocketPath } from '../control/session-channel.ts';
import type { SandboxHost, SandboxPolicy } from '../sandbox/sandbox.ts';
import { startSandbox } from '../sandbox/start-sandbox.ts';
import { removeSessionFolder } from '../sandbox/session-mounts.ts';
import { warmKey, type WarmSandbox, type WarmTemplate } from './warm-pool.ts';

export interface WarmStartDeps {
  host: SandboxHost;
  startTimeoutMs: number;
  log: { warn(obj: object, msg: string): void };
}

/**
 * Starts a sandbox before its session (warm-pool.ts): its grants come later (`lateGrants`), its
 * control socket is open at once with nothing behind it. It is background work: held to the
 * app's own CPU limit from the first instruction, so it never slows the sessions running.
 */
export async function startWarmSandbox(
  template: WarmTemplate,
  policy: SandboxPolicy,
  name: string,
  deps: WarmStartDeps,
): Promise<WarmSandbox> {
  const { appId, late } = template;
  const sandbox = await startSandbox(deps.host, { ...policy, lateGrants: late }, deps.startTimeoutMs, name);
  sandbox.cgroup?.started();
  let control: WarmSandbox['control'];
  let gone: Promise<void> | undefined;
  const destroy = () => {
    gone ??= (async () => {
      control?.close();
      await sandbox.destroyed();
      removeSessionFolder(policy.sessionDir);
    })();
    return gone;
  };
  try {
    if (policy.controlSocket) {
      control = await listenDeferredControl(controlSocketPath(policy.sessionDir), {
        warn: (obj, msg) => deps.log.warn({ warmSandbox: name, ...obj }, msg),
      });
    }
    await sandbox.ready;
  } catch (err) {
    await destroy();
    throw err;
  }
  return { dir: policy.sessionDir, appId, late, key: warmKey(policy), sandbox, control, destroy };
}
