import { CONTROL_PROTOCOL_VERSION, type ServerInitBody } from '@vitrine/protocol';
import type { LaunchPlan } from '../launch/plan.ts';
import type { Access } from '../sandbox/sandbox.ts';
import type { PictureState } from './runtime.ts';

/** What each access level lets the app do, in the SDK's words. */
const RIGHTS: Record<Access, ServerInitBody['grants'][number]['rights']> = {
  read: ['read'],
  'read-write': ['read', 'write'],
  'read-write-delete': ['read', 'write', 'delete'],
};

/** Without a launching browser's word (an API client), apps hear these. */
const DEFAULT_VIEWER = { locale: 'en-US', timeZone: 'UTC' };

/**
 * The `init` an app hears on each control connection (docs/app-sdk.md): the picture as it is now,
 * the session's grants by their sandbox paths (never a host path), what the person asked to see
 * first, and the launching viewer's language and time zone. An app started before its session
 * (`warmStart`) learns all of that only from here.
 */
export function appInit(plan: LaunchPlan, picture: PictureState | undefined): ServerInitBody {
  const { policy } = plan.runtime;
  const start = policy.window ?? policy.display;
  return {
    protocol: CONTROL_PROTOCOL_VERSION,
    display: picture ? { width: picture.width, height: picture.height } : { ...start },
    scale: 1,
    resizable: picture?.resizable ?? plan.runtime.resizable !== null,
    grants: policy.grants.map((g) => ({ path: g.sandboxPath, rights: RIGHTS[g.access] })),
    ...(policy.openPath ? { open: policy.openPath } : {}),
    ...(plan.origin?.viewer ?? DEFAULT_VIEWER),
  };
}
