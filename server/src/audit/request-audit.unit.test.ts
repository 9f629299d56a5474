import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { byId, fileAt, registerRequestAudit, str } from './request-audit.ts';
import type { AuditLog } from './audit-log.ts';
import type { AuditEntry } from './chain.ts';
import { fileMoveAction } from '@vitrine/protocol';

/** An audit log that keeps what it was given: `record`ed (written before the answer) or `note`d. */
function memoryLog() {
  const events: Array<AuditEntry & { how: 'record' | 'note' }> = [];
  const log = {
    writable: async () => true,
    record: async (e: AuditEntry) => void events.push({ ...e, how: 'record' }),
    note: (e: AuditEntry) => void events.push({ ...e, how: 'note' }),
  } as unknown as AuditLog;
  return { log, events };
}

const apps: ReturnType<typeof Fastify>[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});
const newApp = () => {
  const app = Fastify({ logger: false });
  apps.push(app);
  return app;
};

describe('request audit', () => {
  it('refuses to register an API route that has no audit action, so none can go unrecorded', () => {
    const app = newApp();
    registerRequestAudit(app, {} as AuditLog);
    app.get('/api/shares', { config: { audit: { action: 'share.list' } } }, async () => []);
    app.get('/not-api', async () => 'ok');
    expect(() => app.post('/api/forgotten', async () => ({}))).toThrow('POST /api/forgotten has no audit action');
    expect(() => app.get('/api/forgotten', { config: { public: true } }, async () => ({}))).toThrow(
      'GET /api/forgotten has no audit action',
    );
  });

  it('records each request as the action its route declares, with the target it names', async () => {
    const app = newApp();
    const { log, events } = memoryLog();
    registerRequestAudit(app, log);
    app.get('/api/shares/:id', { config: { audit: { action: 'share.get', target: byId('share') } } }, async () => ({}));
    app.get('/api/files', { config: { audit: { action: 'file.list', target: fileAt } } }, async () => []);
    app.get(
      '/api/files/content',
      { config: { audit: { action: 'file.download', target: fileAt, security: true } } },
      async () => 'bytes',
    );
    app.post(
      '/api/files/move',
      {
        config: {
          audit: {
            action: (r) => fileMoveAction(str(r.body.from) ?? '', str(r.body.to) ?? ''),
            target: (r) => ({ type: 'file', path: str(r.body.from) ?? null }),
          },
        },
      },
      async () => ({}),
    );
    app.all('/api/*', { config: { audit: { action: 'api.unknown' } } }, async (_req, reply) =>
      reply.status(404).send({ error: 'not-found', message: 'no such endpoint' }),
    );

    const id = '6f1c2c1e-0000-4000-8000-000000000001';
    await app.inject({ method: 'GET', url: `/api/shares/${id}` });
    await app.inject({ method: 'HEAD', url: '/api/files?path=Reports' });
    await app.inject({ method: 'GET', url: '/api/files/content?path=Reports/q3.pdf' });
    await app.inject({ method: 'POST', url: '/api/files/move', payload: { from: 'Inbox/a.txt', to: 'Inbox/b.txt' } });
    await app.inject({ method: 'POST', url: '/api/files/move', payload: { from: 'Inbox/b.txt', to: 'Old/b.txt' } });
    await app.inject({ method: 'DELETE', url: '/api/nothing-here' });

    expect(events.map((e) => [e.action, e.target, e.outcome, e.how])).toEqual([
      ['share.get', { type: 'share', id }, 'ok', 'note'],
      // HEAD shares its GET route's declaration.
      ['file.list', { type: 'file', path: 'Reports' }, 'ok', 'note'],
      // A security-relevant read is written before the answer leaves.
      ['file.download', { type: 'file', path: 'Reports/q3.pdf' }, 'ok', 'record'],
      ['file.rename', { type: 'file', path: 'Inbox/a.txt' }, 'ok', 'record'],
      ['file.move', { type: 'file', path: 'Inbox/b.txt' }, 'ok', 'record'],
      ['api.unknown', undefined, 'failed', 'record'],
    ]);
    expect(events.at(-1)).toMatchObject({ reason: 'not-found' });
  });
});
