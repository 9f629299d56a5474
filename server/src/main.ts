import { ConfigError, loadConfig } from './config/config.ts';
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
  const server = await buildServer(config);
  const address = await server.app.listen({ port: config.PORT, host: config.HOST });
  server.app.log.info({ address, publicUrl: config.PUBLIC_URL }, 'Vitrine is listening');
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    server.app.log.info({ signal }, 'shutting down');
    await server.app.close();
    process.exit(0);
  };
  // A hostile or broken peer must never take the whole server down: werift and the X client
  // run callbacks outside any request, so log what escapes them and keep serving.
  process.on('unhandledRejection', (err) => server.app.log.error({ err }, 'unhandled rejection'));
  process.on('uncaughtException', (err) => server.app.log.error({ err }, 'uncaught exception'));
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

void main();
