import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/** A Vitrine server as its own process (`node server/src/main.ts`), to be killed like a real one. */
export interface ServerProcess {
  proc: ChildProcess;
  url: string;
  origin: string;
  /** The one-time setup link, printed while no account exists. */
  setupLink?: string;
  /** Everything it printed so far (JSON log lines at LOG_LEVEL=info). */
  output(): string;
}

/** Starts a server on a random port over `runtimeDir` (its data under `runtimeDir/data`); resolves once it listens. */
export function startServerProcess(runtimeDir: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  const proc = spawn(process.execPath, ['server/src/main.ts'], {
    cwd: path.resolve(import.meta.dirname, '../..'),
    env: {
      ...process.env,
      PORT: '0',
      RUNTIME_DIR: runtimeDir,
      LOG_LEVEL: 'info',
      DATA_DIR: path.join(runtimeDir, 'data'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    const ready = () => {
      const m = /"address":"(http:\/\/[^"]+)","publicUrl":"([^"]+)"/.exec(out);
      const link = /(http:\/\/localhost:\d+\/invite#[\w-]+)/.exec(out);
      // Ready once listening and, when no account exists yet, once the setup link is out.
      if (!m || !(link || /"msg":"accounts exist"/.test(out))) return;
      proc.stdout!.off('data', ready);
      resolve({ proc, url: m[1]!, origin: m[2]!, ...(link ? { setupLink: link[1]! } : {}), output: () => out });
    };
    proc.stdout!.on('data', ready);
    proc.on('exit', (code) => reject(new Error(`server exited early (${code}): ${out.slice(-500)}`)));
  });
}
