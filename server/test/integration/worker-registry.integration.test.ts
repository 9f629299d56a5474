import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { SessionStore } from '../../src/sessions/session-store.ts';
import { WorkerRegistry } from '../../src/workers/worker-registry.ts';
import { startTestPostgres, type TestPostgres } from '../postgres.ts';

/** The registry's rules on both databases Vitrine runs on (placement needs a real server's locks to race). */
describe.each(['postgres', 'pglite'] as const)('the worker registry on %s', (kind) => {
  let pg: TestPostgres | undefined;
  let dir: string;
  let database: Database;
  let registry: WorkerRegistry;
  const LOST_AFTER = 6000;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-registry-'));
    if (kind === 'postgres') pg = startTestPostgres();
    database = await openDatabase({ databaseUrl: pg?.url, dataDir: dir });
    registry = new WorkerRegistry(database.db);
  });
  afterAll(async () => {
    await database?.close();
    pg?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const worker = (id: string, capacity: number) => ({
    id,
    url: `http://${id}.internal:8090`,
    publicUrl: `https://${id}.example.com`,
    capacity,
    sandbox: { degraded: false, landlock: 'enforced' as const, cgroups: 2 as const },
  });
  const silentFor = (id: string, ms: number) =>
    sql`update workers set heartbeat_at = now() - make_interval(secs => ${ms / 1000}) where id = ${id}`.execute(
      database.db,
    );

  it('places on the live worker with the most room, never beyond capacity, even when asked at once', async () => {
    await registry.register(worker('a', 2));
    await registry.register(worker('b', 3));
    // Seven launches at the same moment (separate connections on PostgreSQL) for five places.
    const placed = await Promise.all(Array.from({ length: 7 }, () => registry.place(LOST_AFTER)));
    const ids = placed.map((w) => w?.id ?? null);
    expect(ids.filter((id) => id === 'a')).toHaveLength(2);
    expect(ids.filter((id) => id === 'b')).toHaveLength(3);
    expect(ids.filter((id) => id === null)).toHaveLength(2);
    // A beat says what really runs there: room again.
    expect(await registry.beat('a', 0)).toBe('up');
    expect((await registry.place(LOST_AFTER))?.id).toBe('a');
    expect(await registry.place(LOST_AFTER, ['a'])).toBeNull();
  });

  it('places nothing on a draining, silent or lost worker, and tells a lost one at its next beat', async () => {
    await registry.register(worker('c', 4));
    await registry.register(worker('d', 4));
    expect(await registry.setState('c', 'draining', ['up'])).toBe(true);
    await silentFor('d', LOST_AFTER + 1000);
    await registry.beat('a', 2);
    await registry.beat('b', 3);
    expect(await registry.place(LOST_AFTER)).toBeNull();
    expect(await registry.markLost(LOST_AFTER)).toEqual(['d']);
    expect(await registry.markLost(LOST_AFTER)).toEqual([]);
    expect(await registry.beat('d', 1)).toBe('lost');
    expect(await registry.beat('c', 1)).toBe('draining');
    expect(await registry.beat('nobody', 0)).toBeUndefined();
    // Registering again (a worker restarted, or back after a split) makes it up and empty.
    await registry.register(worker('d', 4));
    expect(await registry.get('d')).toMatchObject({
      state: 'up',
      sandbox: { degraded: false, landlock: 'enforced', cgroups: 2 },
    });
    expect((await registry.place(LOST_AFTER))?.id).toBe('d');
  });

  it("ends a lost worker's live sessions only", async () => {
    const onA = new SessionStore(database.db, 'a');
    const onB = new SessionStore(database.db, 'b');
    const single = new SessionStore(database.db);
    const created = { appId: 'diagnostics', createdAt: new Date(), policy: {}, launch: { userId: 'u' } };
    await onA.created({ ...created, id: '00000000-0000-4000-8000-00000000000a' });
    await onB.created({ ...created, id: '00000000-0000-4000-8000-00000000000b' });
    await single.created({ ...created, id: '00000000-0000-4000-8000-00000000000c' });
    const ended = await onA.endLiveOn('a', 'worker lost');
    expect(ended.map((s) => s.id)).toEqual(['00000000-0000-4000-8000-00000000000a']);
    expect((await onB.get('00000000-0000-4000-8000-00000000000b'))?.state).toBe('starting');
    // A single-process install's crash recovery leaves workers' sessions alone, and a worker's its peers'.
    expect((await single.endAllLive('server crash')).map((s) => s.id)).toEqual([
      '00000000-0000-4000-8000-00000000000c',
    ]);
    expect(await onA.endAllLive('server crash')).toEqual([]);
    expect((await onB.get('00000000-0000-4000-8000-00000000000b'))?.state).toBe('starting');
  });
});
