import { z } from 'zod';

/**
 * What the health probes answer (`/healthz` and `/readyz`, on the main port and on the operator's
 * listener): a status code for Kubernetes or a load balancer, and one word for the person reading
 * it. Nothing else: no path, no version, nothing about the host's layout.
 */

/** `/healthz`: the process answers. */
export const HEALTHY = 'ok';
/** `/readyz`: the server can take work. */
export const READY = 'ready';

/**
 * Why `/readyz` says 503: the server is stopping, its database did not answer a trivial query in
 * time, or (encryption at rest on) its encrypted volume is not mounted.
 */
export const NotReadyReason = z.enum(['stopping', 'database', 'volume']);
export type NotReadyReason = z.infer<typeof NotReadyReason>;
