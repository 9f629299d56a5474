import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createFleetLab, type FleetLab, type FleetProcess } from './fleet-lab.ts';
import { startTestPostgres, type TestPostgres } from './postgres.ts';

/**
 * A multi-node Vitrine on one host for tests: the API tier on the lab's machine 0, workers `w<n>`
 * on machines 1..n, one PostgreSQL, one shared folder for files and recordings, one secret. Every
 * process is the real server (`server/src/main.ts`) with the environment an operator would give it.
 */
export interface VitrineFleet {
  lab: FleetLab;
  /** What browsers open (`http://vitrine-fleet.test:8080`, mapped to the API tier's address). */
  publicUrl: string;
  /** The API tier's own address, for Node clients. */
  apiUrl: string;
  /** The first account's setup link, printed by the API tier on its first start. */
  setupLink: string;
  api: FleetProcess;
  workers: Map<string, FleetProcess>;
  /** Starts the API tier (again); resolves once it serves. */
  startApi(): Promise<FleetProcess>;
  /** Starts worker `w<n>` (again) on machine n; resolves once it is registered. */
  startWorker(n: number): Promise<FleetProcess>;
  /** Runs the operator's CLI (`server/src/cli.ts`) as on a machine of the API tier; resolves to what it printed. */
  cli(...args: string[]): string;
  /** Workers a test killed are started again first (as on a real host, they remove what they left). */
  stop(): Promise<void>;
}

export const FLEET_PUBLIC_URL = 'http://vitrine-fleet.test:8080';

export async function startVitrineFleet(opts: {
  workers: number;
  /** Extra environment of the API tier (e.g. METRICS_LISTEN is set here by default). */
  apiEnv?: Record<string, string>;
  workerEnv?: Record<string, string>;
  /** Machines after the workers' left free for the caller (e.g. a single-process server to compare with). */
  spareMachines?: number;
}): Promise<VitrineFleet> {
  const pg: TestPostgres = startTestPostgres();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-fleet-'));
  // The workers' RUNTIME_DIRs (sessions, displays) on tmpfs, as on a real host.
  const shm = fs.mkdtempSync(path.join('/dev/shm', 'vitrine-fleet-'));
  fs.writeFileSync(path.join(tmp, 'worker.secret'), randomBytes(48).toString('base64'), { mode: 0o600 });
  for (const d of ['storage', 'recordings']) fs.mkdirSync(path.join(tmp, d));
  const env = {
    DATABASE_URL: pg.url,
    ENCRYPTION: 'off',
    STORAGE_DIR: path.join(tmp, 'storage'),
    RECORDINGS_DIR: path.join(tmp, 'recordings'),
    WORKER_SECRET_FILE: path.join(tmp, 'worker.secret'),
    PUBLIC_URL: FLEET_PUBLIC_URL,
    ALLOW_INSECURE_HTTP: '1',
    LOG_LEVEL: 'info',
    // One audit key for every process (made by the API tier on its first start), never /etc/vitrine.
    AUDIT_KEY_FILE: path.join(tmp, 'audit', 'audit.key'),
    AUDIT_CHECKPOINT_FILE: path.join(tmp, 'audit', 'checkpoints.jsonl'),
    MASTER_KEY_FILE: path.join(tmp, 'keys', 'master.key'),
  };
  let lab: FleetLab;
  try {
    lab = createFleetLab(opts.workers + 1 + (opts.spareMachines ?? 0));
  } catch (err) {
    pg.stop();
    for (const dir of [tmp, shm]) fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const running: FleetProcess[] = [];
  const workers = new Map<string, FleetProcess>();
  const launchApi = () => {
    const m = lab.machines[0]!;
    const p = lab.start(0, 'server/src/main.ts', {
      ...env,
      ROLE: 'api',
      HOST: m.ip,
      PORT: '8080',
      DATA_DIR: path.join(tmp, 'api', 'data'),
      RUNTIME_DIR: path.join(tmp, 'api', 'run'),
      METRICS_LISTEN: `${m.ip}:9464`,
      ...opts.apiEnv,
    });
    running.push(p);
    return p;
  };
  const startWorker = async (n: number) => {
    const m = lab.machines[n]!;
    const p = lab.start(n, 'server/src/main.ts', {
      ...env,
      ROLE: 'worker',
      WORKER_ID: `w${n}`,
      HOST: m.ip,
      PORT: '8090',
      WORKER_URL: `http://${m.ip}:8090`,
      WEBRTC_ICE_ADDRESSES: m.ip,
      MAX_SESSIONS: '3',
      DATA_DIR: path.join(tmp, `w${n}`, 'data'),
      RUNTIME_DIR: path.join(shm, `w${n}`),
      ...opts.workerEnv,
    });
    running.push(p);
    workers.set(`w${n}`, p);
    await p.waitFor(/"msg":"worker registered"/);
    return p;
  };
  const stop = async () => {
    for (const [id, w] of workers) {
      if (w.proc.exitCode === null && w.proc.signalCode === null) continue;
      await startWorker(Number(id.slice(1))).catch(() => undefined);
    }
    // Workers end their sessions themselves on SIGTERM (sandboxes, cgroups, folders).
    await Promise.all(running.map((p) => p.stop()));
    lab.destroy();
    pg.stop();
    for (const dir of [tmp, shm]) fs.rmSync(dir, { recursive: true, force: true });
  };
  const fleet: VitrineFleet = {
    lab,
    publicUrl: FLEET_PUBLIC_URL,
    apiUrl: `http://${lab.machines[0]!.ip}:8080`,
    setupLink: '',
    api: launchApi(),
    workers,
    startApi: async () => {
      fleet.api = launchApi();
      await fleet.api.waitFor(/Vitrine is ready/);
      return fleet.api;
    },
    startWorker,
    cli: (...args) =>
      execFileSync(process.execPath, ['server/src/cli.ts', ...args], {
        cwd: path.resolve(import.meta.dirname, '../..'),
        env: { ...process.env, ...env, ROLE: 'api', DATA_DIR: path.join(tmp, 'cli') },
        encoding: 'utf8',
      }),
    stop,
  };
  try {
    // The API tier first: it makes the audit key every process then shares.
    fleet.setupLink = (await fleet.api.waitFor(/(http:\/\/vitrine-fleet\.test:8080\/invite#[\w-]+)/))[1]!;
    await Promise.all(Array.from({ length: opts.workers }, (_, i) => startWorker(i + 1)));
  } catch (err) {
    await stop();
    throw err;
  }
  return fleet;
}
