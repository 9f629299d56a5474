/**
 * @vitrine/app-sdk: everything an app inside a Vitrine session needs to talk to the server
 * (docs/app-sdk.md). No runtime dependencies; Node.js 22 or later.
 */
export { createControlClient } from './client.ts';
export type { ControlClient, ControlOptions, EventBody, Reply, Shutdown, Size } from './client.ts';
export { decodeServerLine } from './decode.ts';
export * from './protocol.ts';
