import { ErrorCode, type SessionInfo, type SessionEndReason } from '@vitrine/protocol';
import { DomainError } from '../errors.ts';
import type { LaunchPlan } from '../launch/plan.ts';
import { CALL_HEADER, signCall } from './signatures.ts';

/** A sandbox, its display and encoders take seconds to start; a worker that says nothing by then is down. */
const LAUNCH_TIMEOUT_MS = 60_000;
const CALL_TIMEOUT_MS = 5_000;

/** The worker's own paths for the API tier (not under /api: browsers never call them). */
export const WorkerPaths = {
  sessions: '/internal/sessions',
  session: (id: string) => `/internal/sessions/${encodeURIComponent(id)}`,
  stats: (id: string) => `/internal/sessions/${encodeURIComponent(id)}/stats`,
} as const;

/** The API tier's calls to a worker, each signed with the shared secret. */
export class WorkerClient {
  private readonly secret: Buffer;

  constructor(secret: Buffer) {
    this.secret = secret;
  }

  launch(workerUrl: string, plan: LaunchPlan): Promise<SessionInfo> {
    return this.call(workerUrl, 'POST', WorkerPaths.sessions, { plan }, LAUNCH_TIMEOUT_MS) as Promise<SessionInfo>;
  }

  async end(workerUrl: string, id: string, reason: SessionEndReason): Promise<boolean> {
    const r = (await this.call(workerUrl, 'DELETE', WorkerPaths.session(id), { reason })) as { ended: boolean };
    return r.ended;
  }

  stats(workerUrl: string, id: string): Promise<unknown> {
    return this.call(workerUrl, 'GET', WorkerPaths.stats(id), undefined);
  }

  private async call(
    workerUrl: string,
    method: string,
    pathAndQuery: string,
    body: unknown,
    timeoutMs = CALL_TIMEOUT_MS,
  ): Promise<unknown> {
    const text = body === undefined ? '' : JSON.stringify(body);
    let res: Response;
    try {
      res = await fetch(new URL(pathAndQuery, workerUrl), {
        method,
        headers: {
          [CALL_HEADER]: signCall(this.secret, method, pathAndQuery, text),
          ...(text ? { 'content-type': 'application/json' } : {}),
        },
        ...(text ? { body: text } : {}),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch {
      throw new DomainError(503, 'worker-unavailable', 'The machine chosen for this session did not answer.');
    }
    const answer = (await res.json().catch(() => ({}))) as { error?: string; message?: string };
    if (!res.ok) {
      // The worker's own refusal (a full worker, an unknown session) is passed on as it said it.
      const code = ErrorCode.safeParse(answer.error);
      throw new DomainError(
        res.status,
        code.success ? code.data : 'error',
        answer.message ?? `worker answered ${res.status}`,
      );
    }
    return answer;
  }
}
