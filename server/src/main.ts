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
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

void main();
