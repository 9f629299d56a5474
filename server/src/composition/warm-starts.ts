import type { AppCatalog } from '../apps/app-catalog.ts';
import type { Config } from '../config/config.ts';
import { warmSandboxPolicy, type PlanSettings } from '../launch/plan.ts';
import type { LateGrants } from '../sandbox/late-grants.ts';
import type { SandboxHost } from '../sandbox/sandbox.ts';
import { startWarmSandbox } from '../sessions/warm-sandbox.ts';
import { WarmPool } from '../sessions/warm-pool.ts';

const WARM_KINDS: LateGrants[] = [
  { access: 'read', atFiles: false },
  { access: 'read-write-delete', atFiles: true },
];

/**
 * The warm sandboxes of this process (sessions/warm-pool.ts), or none: off by configuration, on
 * the API tier (it runs no session), or where grants cannot be mounted into a running sandbox
 * (that takes the grant filesystem, so a server running as root).
 */
export function warmStarts(
  config: Config,
  deps: {
    apps: AppCatalog;
    sandbox: SandboxHost;
    plan: PlanSettings;
    log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
    /** A session's app is starting now (the pool waits for a quiet moment). */
    busy: () => boolean;
  },
): WarmPool | undefined {
  const { apps, sandbox, plan, log, busy } = deps;
  const size = config.sessions.warmSandboxes;
  if (size === 0 || config.cluster.role === 'api') return undefined;
  if (sandbox.user === null || sandbox.grantFs === null) {
    log.info({}, 'no warm starts: grants are mounted into a running sandbox only by a server running as root');
    return undefined;
  }
  return new WarmPool({
    size,
    sessionsDir: plan.sessionsDir,
    log,
    busy,
    templates: () =>
      apps
        .list()
        .filter((a) => a.manifest.capabilities.warmStart)
        // The launches that wait on a person: a client opening a read-only share, an owner opening
        // their own storage (at /files itself, all rights). Editable shares start cold.
        .flatMap((app) =>
          WARM_KINDS.map((late) => ({
            appId: app.id,
            late,
            policy: (dir: string) => warmSandboxPolicy(app, plan, dir),
          })),
        ),
    start: async (template, policy, name) => {
      const app = apps.get(template.appId);
      // Its copy of the app stays while it waits; a session that takes it keeps the copy itself.
      if (app) apps.sessionStarted(name, app);
      try {
        const warm = await startWarmSandbox(template, policy, name, {
          host: sandbox,
          startTimeoutMs: plan.startTimeoutMs,
          log,
        });
        return {
          ...warm,
          release: () => apps.sessionEnded(name),
          destroy: () => warm.destroy().finally(() => apps.sessionEnded(name)),
        };
      } catch (err) {
        apps.sessionEnded(name);
        throw err;
      }
    },
  });
}
