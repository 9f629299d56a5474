import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * A throw-away PostgreSQL cluster from Debian's binaries, listening only on a Unix socket in
 * its own folder (no TCP at all), run as the `postgres` user because initdb refuses root.
 */
export interface TestPostgres {
  /** As Vitrine's runtime role: an ordinary role that owns the database, not a superuser. */
  url: string;
  /** As the superuser, for tests that go behind the application's back. */
  superuserUrl: string;
  stop(): void;
}

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root) ? fs.readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) if (fs.existsSync(path.join(root, v, 'bin', 'initdb'))) return path.join(root, v, 'bin');
  throw new Error('PostgreSQL server binaries not found (apt-get install postgresql)');
}

export function startTestPostgres(): TestPostgres {
  const bin = binDir();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-pg-'));
  fs.chmodSync(dir, 0o755);
  const data = path.join(dir, 'data');
  const asPostgres = (cmd: string, args: string[]) => {
    const r = spawnSync('runuser', ['-u', 'postgres', '--', path.join(bin, cmd), ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr || r.stdout}`);
  };
  execFileSync('chown', ['postgres:postgres', dir]);
  asPostgres('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  asPostgres('pg_ctl', [
    '-D',
    data,
    '-w',
    '-l',
    path.join(dir, 'log'),
    'start',
    '-o',
    `-c listen_addresses='' -k ${dir} -c fsync=off -c full_page_writes=off`,
  ]);
  asPostgres('createuser', [
    '-h',
    dir,
    '-U',
    'postgres',
    '--no-superuser',
    '--no-createrole',
    '--no-createdb',
    'vitrine',
  ]);
  asPostgres('createdb', ['-h', dir, '-U', 'postgres', '-O', 'vitrine', 'vitrine']);
  return {
    url: `postgresql://vitrine@localhost/vitrine?host=${encodeURIComponent(dir)}`,
    superuserUrl: `postgresql://postgres@localhost/vitrine?host=${encodeURIComponent(dir)}`,
    stop: () => {
      spawnSync('runuser', ['-u', 'postgres', '--', path.join(bin, 'pg_ctl'), '-D', data, '-m', 'immediate', 'stop']);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
