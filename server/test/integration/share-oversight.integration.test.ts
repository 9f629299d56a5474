import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  ApiErrorBody,
  CreatedShare,
  InvitationLink,
  ReceivedShare,
  SessionInfo,
  Share,
  TermsAcceptances,
} from '@vitrine/protocol';
import { call, register, type TestUser } from '../auth-client.ts';
import { startTestServer, type TestServer } from '../helpers.ts';
import { startTestPostgres, type TestPostgres } from '../postgres.ts';
import { openDetail } from '../../src/audit/sealed-detail.ts';

/**
 * A share's oversight (issue 17): terms its client must accept before a session opens (a new
 * text asks again), the owner's record of the acceptances, and recorded shares opening only when
 * the client acknowledged the recording.
 */
const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();
const TERMS = 'These documents are confidential.\r\nDo not photograph the screen.';

describe.each(['pglite', 'postgres'] as const)('share oversight on %s', (kind) => {
  let pg: TestPostgres | undefined;
  let server: TestServer;
  let owner: TestUser;
  let otherOwner: TestUser;
  let client: TestUser;
  let appsRoot: string;
  let shareId: string;

  const launch = (body: Record<string, unknown> = {}) =>
    call<SessionInfo & ApiErrorBody>(client, 'POST', '/api/sessions', { appId: 'idle', shareId, ...body });
  const accept = (body: Record<string, unknown>, by = client, id = shareId) =>
    call<ApiErrorBody & { version: number }>(by, 'POST', `/api/shares/${id}/terms/accept`, {
      typedName: 'Cleo Client',
      agreed: true,
      ...body,
    });
  const received = async () =>
    (await call<ReceivedShare[]>(client, 'GET', '/api/shared-with-me')).body.find((s) => s.id === shareId)!;
  const endSession = async (id: string) =>
    expect((await call(client, 'DELETE', `/api/sessions/${id}`)).status).toBe(204);
  const trail = async (action: string) => {
    await server.audit.flush();
    const rows = await server.db
      .selectFrom('audit_events')
      .select(['detail', 'outcome', 'actor_id', 'owner_id', 'ip', 'user_agent', 'session_id'])
      .where('share_id', '=', shareId)
      .where('action', '=', action)
      .orderBy('seq')
      .execute();
    return rows.map((r) => ({
      ...r,
      detail: JSON.parse(openDetail(server.columnCipher, r.detail)) as Record<string, unknown>,
    }));
  };

  beforeAll(async () => {
    if (kind === 'postgres') pg = startTestPostgres();
    appsRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-apps-'));
    fs.mkdirSync(path.join(appsRoot, 'idle'));
    fs.writeFileSync(path.join(appsRoot, 'idle', 'run.sh'), '#!/bin/sh\nexec sleep 600\n', { mode: 0o755 });
    fs.writeFileSync(
      path.join(appsRoot, 'idle', 'manifest.json'),
      JSON.stringify({ name: 'Idle', version: '1', type: 'x11', binary: 'run.sh', permissions: [] }),
    );
    server = await startTestServer({ APPS_ROOT: appsRoot, ...(pg ? { DATABASE_URL: pg.url } : {}) });
    owner = server.owner;
    const invite = (await call<InvitationLink>(owner, 'POST', '/api/admin/invitations', { email: 'otto@example.test' }))
      .body.link;
    otherOwner = await register(server.url, server.publicUrl(), invite, { displayName: 'Otto' });
    expect((await call(owner, 'POST', '/api/files/folders', { path: 'Deal' })).status).toBe(201);
    const created = await call<CreatedShare>(owner, 'POST', '/api/shares', {
      clientEmail: 'cleo@example.test',
      label: 'Deal room',
      paths: [{ path: 'Deal', access: 'view' }],
      apps: ['idle'],
      expiresAt: inAnHour(),
      termsText: TERMS,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    shareId = created.body.share.id;
    client = await register(server.url, server.publicUrl(), created.body.invitation.link, { displayName: 'Cleo' });
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    pg?.stop();
    fs.rmSync(appsRoot, { recursive: true, force: true });
  });

  it('refuses to open a share until its client accepts the terms in force, and asks again for a new text', async () => {
    const share = (await call<Share>(owner, 'GET', `/api/shares/${shareId}`)).body;
    // Line endings as typed anywhere become one form; the first text is version 1.
    expect(share.terms).toEqual({
      version: 1,
      text: 'These documents are confidential.\nDo not photograph the screen.',
    });
    expect([share.recording, share.liveView]).toEqual([false, false]);
    expect(await received()).toMatchObject({ terms: share.terms, termsAccepted: false, termsAcceptedVersion: null });

    const refused = await launch();
    expect(refused.status).toBe(403);
    expect(refused.body.error).toBe('terms-not-accepted');
    expect(refused.body.message).toMatch(/accept the terms/i);

    // The version read must be the one in force; a name and the tick are required.
    const stale = await accept({ version: 2 });
    expect([stale.status, stale.body.error]).toEqual([409, 'terms-changed']);
    expect(stale.body.message).toMatch(/version 1/);
    expect((await accept({ version: 1, typedName: '  ' })).status).toBe(400);
    expect((await accept({ version: 1, agreed: false })).status).toBe(400);
    // Nobody but the share's client accepts for it.
    expect((await accept({ version: 1 }, owner)).status).toBe(403);
    expect((await accept({ version: 1 }, otherOwner)).status).toBe(404);
    expect(await call(server.url, 'POST', `/api/shares/${shareId}/terms/accept`, {})).toMatchObject({ status: 401 });

    const ok = await accept({ version: 1 }, client);
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    expect(await received()).toMatchObject({ termsAccepted: true, termsAcceptedVersion: 1 });
    const opened = await launch();
    expect(opened.status, JSON.stringify(opened.body)).toBe(201);
    await endSession(opened.body.id);

    // The same text again (other line endings, other fields changed) keeps the version: no new question.
    const same = await call<Share>(owner, 'PATCH', `/api/shares/${shareId}`, {
      termsText: `  ${TERMS.replace('\r\n', '\n')}\n`,
      label: 'Deal room (2)',
    });
    expect(same.body.terms?.version).toBe(1);
    expect((await launch()).status).toBe(201);
    for (const s of (await call<SessionInfo[]>(client, 'GET', '/api/sessions')).body) await endSession(s.id);

    // A new text is version 2: the client is asked again, and accepting version 1 again is refused.
    const changed = await call<Share>(owner, 'PATCH', `/api/shares/${shareId}`, {
      termsText: `${TERMS}\nReturn nothing you were given.`,
    });
    expect(changed.body.terms?.version).toBe(2);
    expect(await received()).toMatchObject({ termsAccepted: false, termsAcceptedVersion: 1 });
    expect((await launch()).body.error).toBe('terms-not-accepted');
    expect((await accept({ version: 1 })).body.error).toBe('terms-changed');
    expect((await accept({ version: 2, typedName: 'Cleo C. Client' })).status).toBe(201);
    const again = await launch();
    expect(again.status).toBe(201);
    await endSession(again.body.id);

    // Each acceptance is on the trail: who, which version, the name typed, the text's hash, from where.
    const accepted = (await trail('share.terms-accept')).filter((e) => e.outcome === 'ok');
    expect(accepted.map((e) => [e.detail.version, e.detail.typedName])).toEqual([
      [1, 'Cleo Client'],
      [2, 'Cleo C. Client'],
    ]);
    expect(accepted[0]).toMatchObject({ actor_id: client.me.id, owner_id: owner.me.id, ip: '127.0.0.1' });
    expect(accepted[1]!.detail.terms).toMatchObject({ version: 2, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    // The owner's changes to the terms are on it too (by version and hash; the text itself is the share's).
    const edits = await trail('share.edit');
    expect(edits.map((e) => (e.detail.changes as { terms?: { version: number } }).terms?.version)).toEqual([
      undefined,
      2,
    ]);
  });

  it('gives the owner (and admins) the acceptances as JSON and CSV; nobody else, the client included', async () => {
    const list = await call<TermsAcceptances>(owner, 'GET', `/api/shares/${shareId}/terms/acceptances`);
    expect(list.status).toBe(200);
    expect(list.body.terms?.version).toBe(2);
    expect(list.body.acceptances.map((a) => [a.version, a.typedName, a.person.name, a.person.email])).toEqual([
      [2, 'Cleo C. Client', 'Cleo', 'cleo@example.test'],
      [1, 'Cleo Client', 'Cleo', 'cleo@example.test'],
    ]);
    expect(list.body.acceptances[0]).toMatchObject({ ip: '127.0.0.1', userAgent: expect.any(String) });

    const csv = await fetch(`${server.url}/api/shares/${shareId}/terms/acceptances.csv`, {
      headers: { cookie: owner.cookie },
    });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.headers.get('content-disposition')).toMatch(/attachment; filename="terms-acceptances-/);
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines[0]).toBe('client_name,client_email,accepted_at,version,typed_name,ip,user_agent');
    expect(lines.slice(1).map((l) => l.split(',').filter((_, i) => i !== 2 && i < 6))).toEqual([
      ['Cleo', 'cleo@example.test', '2', 'Cleo C. Client', '127.0.0.1'],
      ['Cleo', 'cleo@example.test', '1', 'Cleo Client', '127.0.0.1'],
    ]);

    for (const url of [`/api/shares/${shareId}/terms/acceptances`, `/api/shares/${shareId}/terms/acceptances.csv`]) {
      expect((await call(client, 'GET', url)).status, url).toBe(404);
      expect((await call(otherOwner, 'GET', url)).status, url).toBe(404);
    }
    expect(
      (await call(owner, 'GET', '/api/shares/00000000-0000-4000-8000-000000000000/terms/acceptances')).status,
    ).toBe(404);
    const reads = await trail('share.terms-acceptances');
    // Refusals are on the trail too (the first of each person in full; the rest in a minute's summary).
    expect(reads.map((e) => [e.outcome, e.actor_id])).toEqual([
      ['ok', owner.me.id],
      ['ok', owner.me.id],
      ['denied', client.me.id],
      ['denied', otherOwner.me.id],
    ]);
  });

  it('removing the terms opens the share without a question; setting a text again is a new version', async () => {
    const removed = await call<Share>(owner, 'PATCH', `/api/shares/${shareId}`, { termsText: '' });
    expect(removed.body.terms).toBeNull();
    expect(await received()).toMatchObject({ terms: null, termsAccepted: true });
    const opened = await launch();
    expect(opened.status).toBe(201);
    await endSession(opened.body.id);
    // Back to the first text: version 3, which no earlier acceptance covers.
    const back = await call<Share>(owner, 'PATCH', `/api/shares/${shareId}`, { termsText: TERMS });
    expect(back.body.terms?.version).toBe(3);
    expect((await launch()).body.error).toBe('terms-not-accepted');
    expect((await accept({ version: 3 })).status).toBe(201);
    expect((await call(owner, 'PATCH', `/api/shares/${shareId}`, { termsText: 'x'.repeat(20_001) })).status).toBe(400);
  });

  it('describes the new routes and fields in the OpenAPI document', async () => {
    const doc = await call<{ paths: Record<string, Record<string, unknown>> }>(owner, 'GET', '/api/openapi.json');
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/shares/{id}/terms/accept',
        '/api/shares/{id}/terms/acceptances',
        '/api/shares/{id}/terms/acceptances.csv',
      ]),
    );
    expect(JSON.stringify(doc.body.paths['/api/sessions'])).toContain('acknowledgeRecording');
  });

  it('opens a recorded share only with the acknowledgement, and says so on the launch record', async () => {
    const set = await call<Share>(owner, 'PATCH', `/api/shares/${shareId}`, { recording: true, liveView: true });
    expect([set.body.recording, set.body.liveView, set.body.terms?.version]).toEqual([true, true, 3]);
    expect(await received()).toMatchObject({ recording: true, liveView: true, termsAccepted: true });
    const edit = (await trail('share.edit')).at(-1)!;
    expect(edit.detail.changes).toEqual({ recording: true, liveView: true });

    const refused = await launch();
    expect([refused.status, refused.body.error]).toEqual([409, 'recording-not-acknowledged']);
    expect(refused.body.message).toContain('Olive Owner');
    expect((await launch({ acknowledgeRecording: false })).status).toBe(409);
    const opened = await launch({ acknowledgeRecording: true });
    expect(opened.status, JSON.stringify(opened.body)).toBe(201);
    await endSession(opened.body.id);

    const launches = (await trail('session.launch')).filter((e) => e.outcome === 'ok');
    const recorded = launches.find((e) => e.session_id === opened.body.id)!;
    expect(recorded.detail.recorded).toBe(true);
    expect(launches.filter((e) => e.session_id !== opened.body.id).map((e) => e.detail.recorded)).not.toContain(true);
    expect(launches.length).toBeGreaterThan(1);

    // The owner's preview of the share is theirs: not recorded, no acknowledgement asked.
    const preview = await call<SessionInfo>(owner, 'POST', '/api/sessions', { appId: 'idle', preview: { shareId } });
    expect(preview.status, JSON.stringify(preview.body)).toBe(201);
    expect((await call(owner, 'DELETE', `/api/sessions/${preview.body.id}`)).status).toBe(204);
    await server.audit.flush();
    const previewed = await server.db
      .selectFrom('audit_events')
      .select('detail')
      .where('session_id', '=', preview.body.id)
      .where('action', '=', 'session.preview')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(openDetail(server.columnCipher, previewed.detail))).toMatchObject({ recorded: false });
  });
});
