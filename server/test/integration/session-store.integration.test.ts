import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { SessionStore } from '../../src/sessions/session-store.ts';
import { startTestPostgres, type TestPostgres } from '../postgres.ts';

// The same data-layer suite against both backends: embedded PGlite and a real PostgreSQL.
describe.each(['pglite', 'postgres'] as const)('session records on %s', (kind) => {
  let pg: TestPostgres | undefined;
  let dataDir: string;
  let database: Database;
  let store: SessionStore;
  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-db-'));
    if (kind === 'postgres') pg = startTestPostgres();
    database = await openDatabase({ databaseUrl: pg?.url, dataDir });
    store = new SessionStore(database.db);
  }, 60_000);
  afterAll(async () => {
    await database?.close();
    pg?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('uses the backend it was asked for', () => {
    expect(database.kind).toBe(kind);
  });

  it('records a session from creation to its end, with its policy', async () => {
    const createdAt = new Date('2026-11-22T10:00:00.000Z');
    await store.created({ id: 's1', appId: 'xclock', createdAt, policy: { grants: [], limits: { pids: 16 } } });
    expect(await store.get('s1')).toEqual({
      id: 's1',
      appId: 'xclock',
      state: 'starting',
      createdAt: createdAt.toISOString(),
      userId: null,
      shareId: null,
    });
    await store.stateChanged('s1', 'streaming');
    expect((await store.get('s1'))?.state).toBe('streaming');
    await store.ended('s1', 'user ended', undefined);
    expect(await store.get('s1')).toMatchObject({ state: 'ended', endReason: 'user ended' });
    const row = await database.db
      .selectFrom('streamed_sessions')
      .select(['policy', 'ended_at'])
      .where('id', '=', 's1')
      .executeTakeFirstOrThrow();
    expect(row.policy).toEqual({ grants: [], limits: { pids: 16 } });
    expect(row.ended_at).not.toBeNull();
  });

  it('never reopens or rewrites an ended session', async () => {
    await store.created({ id: 's2', appId: 'xclock', createdAt: new Date(), policy: {} });
    expect(await store.ended('s2', 'app exited', 'exit 1')).toBe(true);
    await store.stateChanged('s2', 'ready');
    // The second end is not the first: its caller does not put it on the trail again.
    expect(await store.ended('s2', 'user ended', undefined)).toBe(false);
    expect(await store.get('s2')).toMatchObject({ state: 'ended', endReason: 'app exited' });
  });

  it('marks every live session of a crashed run as ended by the crash, and only those', async () => {
    await store.created({ id: 'live1', appId: 'a', createdAt: new Date(), policy: {} });
    await store.created({ id: 'live2', appId: 'a', createdAt: new Date(), policy: {} });
    await store.stateChanged('live2', 'streaming');
    expect((await store.endAllLive('server crash')).map((s) => s.id).sort()).toEqual(['live1', 'live2']);
    expect(await store.get('live2')).toMatchObject({ state: 'ended', endReason: 'server crash' });
    expect(await store.get('s2')).toMatchObject({ endReason: 'app exited' });
    expect(await store.endAllLive('server crash')).toEqual([]);
  });

  it('refuses a duplicate id and an unknown state', async () => {
    await expect(store.created({ id: 's1', appId: 'x', createdAt: new Date(), policy: {} })).rejects.toThrow();
    await expect(
      database.db
        .insertInto('streamed_sessions')
        .values({ id: 'bad', app_id: 'x', state: 'flying', created_at: new Date(), policy: '{}' })
        .execute(),
    ).rejects.toThrow();
  });

  it('keeps its data across a reopen and does not re-run migrations', async () => {
    await database.close();
    database = await openDatabase({ databaseUrl: pg?.url, dataDir });
    store = new SessionStore(database.db);
    expect(await store.get('s1')).toMatchObject({ endReason: 'user ended' });
  });
});
