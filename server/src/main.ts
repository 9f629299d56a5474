import fs from 'node:fs';
import { listenAdminSocket } from './admin/admin-socket.ts';
import { ConfigError, isLoopback, loadConfig } from './config/config.ts';
import { buildServer } from './http/server.ts';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  // A stop asked for while the server is still starting (sandbox groups, registry, sockets made)
  // waits until it has started, then cleans up like any other: never the default, which kills
  // the process and leaves what it made behind.
  let stopSignal: string | null = null;
  let stopNow: ((signal: string) => void) | null = null;
  const onSignal = (signal: string) => {
    if (stopNow) stopNow(signal);
    else stopSignal ??= signal;
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  const server = await buildServer(config);
  const { address } = await server.listen();
  const publicUrl = server.publicUrl();
  // The first line for people: the address to open (the socket's, e.g. 127.0.0.1, is not it:
  // passkeys and the origin checks work on PUBLIC_URL only; other names are redirected there).
  process.stdout.write(`\n  Vitrine is ready: open ${publicUrl}\n\n`);
  server.app.log.info({ address, publicUrl }, `Vitrine is ready: open ${publicUrl}`);
  if (!config.http.tls && !isLoopback(config.http.host)) {
    server.app.log.warn(
      { host: config.http.host },
      'plain HTTP on a non-loopback address (ALLOW_INSECURE_HTTP): a TLS proxy must be in front',
    );
  }
  const adminSocketPath = config.adminSocket;
  const adminSocket = await listenAdminSocket(adminSocketPath, server.admin, {
    log: server.audit,
    store: server.auditStore,
  });
  // Accounts are the API tier's business: a worker never offers to create the first one.
  const setup = config.cluster.role === 'worker' ? null : await server.issueSetupLink();
  if (!setup && config.cluster.role !== 'worker') server.app.log.info('accounts exist');
  // Printed for the operator's terminal, not logged: it is a secret that creates the admin account.
  if (setup) {
    process.stdout.write(
      `\n  No account exists yet. Open this one-time link to create the first (admin) account\n` +
        `  with a passkey; it expires at ${setup.expiresAt.toISOString()}:\n\n    ${setup.link}\n\n`,
    );
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    server.app.log.info({ signal }, 'shutting down');
    adminSocket.close();
    fs.rmSync(adminSocketPath, { force: true });
    await server.app.close();
    process.exit(0);
  };
  // A hostile or broken peer must never take the whole server down: werift and the X client
  // run callbacks outside any request, so log what escapes them and keep serving.
  process.on('unhandledRejection', (err) => server.app.log.error({ err }, 'unhandled rejection'));
  process.on('uncaughtException', (err) => server.app.log.error({ err }, 'uncaught exception'));
  stopNow = (signal) => void stop(signal);
  if (stopSignal) stopNow(stopSignal);
}

void main();
