import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  ApiErrorBody,
  CreatedShare,
  CreateShareBody,
  DEFAULT_SHARE_APPS,
  InvitationSent,
  ListSharesQuery,
  ReceivedShare,
  SendInvitationBody,
  Share,
  ShareInvitationLink,
  UpdateShareBody,
  type SharePath,
} from '@vitrine/protocol';
import { byId } from '../audit/route-audit.ts';
import { actorOf } from '../auth/guard.ts';
import { invitationLink, type Invitations } from '../auth/invitations.ts';
import { DomainError } from '../errors.ts';
import { invitationMail } from '../mail/invitation-mail.ts';
import { MailError, type Mailer } from '../mail/mailer.ts';
import { authorize, type Actor } from '../policies/policies.ts';
import { shareStatus, type ShareRecord, type ShareStore } from './share-store.ts';
import { checkShareApps, offeredApps, type AppNameOf } from './share-apps.ts';
import type { TermsAcceptanceStore } from './terms-store.ts';
import { currentTerms, NO_TERMS, termsAfter, termsTrace } from './terms.ts';

export interface ShareDeps {
  shares: ShareStore;
  invitations: Invitations;
  publicUrl: () => string;
  invitationTtlMs: number;
  /** Checks each path exists in the owner's storage and returns it normalised; throws 400/404. */
  normalisePath: (ownerId: string, relPath: string) => Promise<string>;
  liveSessions: (shareId: string) => number;
  /** Ends the share's live sessions (revoked, or changed: they run with the old policy). */
  endSessions: (shareId: string, reason: 'share revoked' | 'share changed') => number;
  /** The role of the account an e-mail address belongs to, if any. */
  accountRole: (email: string) => Promise<'owner' | 'client' | null>;
  /** Outgoing mail; null when SMTP is not configured (links are then only shown). */
  mailer: Mailer | null;
  /** Which version of each share's terms its client accepted ("Shared with me"). */
  acceptances: Pick<TermsAcceptanceStore, 'latestVersions'>;
  /** An installed app's display name (undefined: not installed); asked at each request, as apps come and go. */
  appName: AppNameOf;
}

const Id = z.object({ id: z.uuid() });
const errors = { 400: ApiErrorBody, 403: ApiErrorBody, 404: ApiErrorBody, 409: ApiErrorBody };

/** Invitation e-mails one owner may send: a burst, then one every 30 s (the guard's per-person limit). */
export const INVITATION_MAILS = { burst: 10, perMinute: 2 };

/** An owner's shares and a client's "Shared with me". */
export function registerShareRoutes(server: FastifyInstance, deps: ShareDeps): void {
  const app = server.withTypeProvider<ZodTypeProvider>();
  const view = (s: ShareRecord): Share => ({
    id: s.id,
    label: s.label,
    clientEmail: s.clientEmail,
    client: s.client,
    paths: s.paths,
    expiresAt: s.expiresAt.toISOString(),
    maxSessionMinutes: s.maxSessionMinutes,
    watermark: s.watermark,
    watermarkDensity: s.watermarkDensity,
    watermarkOpacity: s.watermarkOpacity,
    recording: s.recording,
    liveView: s.liveView,
    terms: currentTerms(s.terms),
    apps: s.apps,
    createdAt: s.createdAt.toISOString(),
    revokedAt: s.revokedAt?.toISOString() ?? null,
    archivedAt: s.archivedAt?.toISOString() ?? null,
    status: shareStatus(s, Date.now()),
    liveSessions: deps.liveSessions(s.id),
  });
  const load = async (actor: Actor, id: string, action: 'read' | 'update' | 'revoke') => {
    const share = await deps.shares.get(id);
    if (!share) throw new DomainError(404, 'not-found', 'no such share');
    authorize(actor, action, 'Share', {
      ownerId: share.ownerId,
      clientId: share.client?.id ?? null,
      status: shareStatus(share, Date.now()),
    });
    return share;
  };
  const checkPaths = async (ownerId: string, paths: SharePath[]): Promise<SharePath[]> => {
    const seen = new Map<string, SharePath>();
    for (const p of paths) {
      const path = await deps.normalisePath(ownerId, p.path);
      seen.set(path, { path, access: p.access });
    }
    return [...seen.values()];
  };
  const futureDate = (iso: string) => {
    const d = new Date(iso);
    if (d.getTime() <= Date.now())
      throw new DomainError(400, 'bad-request', 'expiresAt: the expiry must be in the future');
    return d;
  };
  /** A fresh link replacing any unused one; it ends with the share at the latest. */
  const newInvitation = async (actor: Actor, share: { id: string; clientEmail: string; expiresAt: Date }) => {
    await deps.invitations.revokeOpen({ kind: 'client', shareId: share.id });
    const { token, invitation } = await deps.invitations.create({
      kind: 'client',
      email: share.clientEmail,
      shareId: share.id,
      createdBy: actor.id,
      ttlMs: deps.invitationTtlMs,
      notAfter: share.expiresAt,
    });
    return {
      link: invitationLink(deps.publicUrl(), token),
      expiresAt: invitation.expiresAt.toISOString(),
      canEmail: deps.mailer !== null,
    };
  };

  app.get(
    '/api/shares',
    {
      config: { audit: { action: 'share.list' } },
      schema: {
        summary: 'My shares (owners); archived ones only with ?archived=include',
        querystring: ListSharesQuery,
        response: { 200: z.array(Share) },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      authorize(actor, 'read', 'Share', { ownerId: actor.id, clientId: null, status: 'pending' });
      const includeArchived = req.query.archived === 'include';
      return (await deps.shares.byOwner(actor.id, { includeArchived })).map(view);
    },
  );

  app.post(
    '/api/shares',
    {
      config: { audit: { action: (r) => (r.body.againOf ? 'share.share-again' : 'share.create') } },
      schema: {
        summary: 'Share paths with a client ("Share again": `againOf` an earlier share); returns the invitation link',
        body: CreateShareBody,
        response: { 201: CreatedShare, ...errors },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      authorize(actor, 'create', 'Share', { ownerId: actor.id, clientId: null, status: 'pending' });
      const body = req.body;
      // "Share again" repeats an earlier share of this owner, for the same client.
      const earlier = body.againOf ? await load(actor, body.againOf, 'read') : null;
      if (earlier && earlier.clientEmail !== body.clientEmail) {
        throw new DomainError(400, 'bad-request', 'clientEmail: sharing again keeps the client of the earlier share');
      }
      const id = await deps.shares.create({
        ownerId: actor.id,
        clientEmail: body.clientEmail,
        label: body.label,
        paths: await checkPaths(actor.id, body.paths),
        expiresAt: futureDate(body.expiresAt),
        maxSessionMinutes: body.maxSessionMinutes,
        watermark: body.watermark,
        watermarkDensity: body.watermarkDensity,
        watermarkOpacity: body.watermarkOpacity,
        recording: body.recording,
        liveView: body.liveView,
        terms: termsAfter(NO_TERMS, body.termsText) ?? NO_TERMS,
        // The default is stored as it is (the File Explorer), installed or not; what the owner names must be.
        apps: body.apps ? checkShareApps(body.apps, deps.appName) : DEFAULT_SHARE_APPS,
      });
      const share = (await deps.shares.get(id))!;
      req.audit.note({
        target: { type: 'share', id, path: body.label },
        detail: {
          client: body.clientEmail,
          paths: body.paths,
          expiresAt: body.expiresAt,
          maxSessionMinutes: body.maxSessionMinutes,
          watermark: body.watermark,
          watermarkDensity: body.watermarkDensity,
          watermarkOpacity: body.watermarkOpacity,
          recording: body.recording,
          liveView: body.liveView,
          terms: termsTrace(currentTerms(share.terms)),
          apps: share.apps,
          ...(earlier ? { sharedAgainFrom: earlier.id } : {}),
        },
      });
      const invitation = await newInvitation(actor, share);
      const existingAccount = await deps.accountRole(body.clientEmail);
      req.log.info({ share: id, owner: actor.id, paths: body.paths, againOf: earlier?.id }, 'share created');
      return reply.status(201).send({ share: view(share), invitation, existingAccount });
    },
  );

  app.get(
    '/api/shares/:id',
    {
      config: { audit: { action: 'share.get', target: byId('share') } },
      schema: { summary: 'One of my shares', params: Id, response: { 200: Share, ...errors } },
    },
    async (req) => view(await load(actorOf(req), req.params.id, 'read')),
  );

  app.patch(
    '/api/shares/:id',
    {
      config: { audit: { action: 'share.edit', target: byId('share') } },
      schema: {
        summary: 'Change a share; its live sessions end (they run with the old policy)',
        params: Id,
        body: UpdateShareBody,
        response: { 200: Share, ...errors },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      const share = await load(actor, req.params.id, 'update');
      const { termsText, ...b } = req.body;
      // The same text again keeps its version (clients are not asked again); another is the next one.
      const terms = termsAfter(share.terms, termsText);
      await deps.shares.update(share.id, {
        ...(b.label !== undefined ? { label: b.label } : {}),
        ...(b.paths !== undefined ? { paths: await checkPaths(actor.id, b.paths) } : {}),
        ...(b.expiresAt !== undefined ? { expiresAt: futureDate(b.expiresAt) } : {}),
        ...(b.maxSessionMinutes !== undefined ? { maxSessionMinutes: b.maxSessionMinutes } : {}),
        ...(b.watermark !== undefined ? { watermark: b.watermark } : {}),
        ...(b.watermarkDensity !== undefined ? { watermarkDensity: b.watermarkDensity } : {}),
        ...(b.watermarkOpacity !== undefined ? { watermarkOpacity: b.watermarkOpacity } : {}),
        ...(b.recording !== undefined ? { recording: b.recording } : {}),
        ...(b.liveView !== undefined ? { liveView: b.liveView } : {}),
        ...(terms ? { terms } : {}),
        ...(b.apps !== undefined ? { apps: checkShareApps(b.apps, deps.appName) } : {}),
      });
      const updated = (await deps.shares.get(share.id))!;
      // An unused invitation never outlives its share (a shortened expiry shortens it too).
      if (b.expiresAt !== undefined) await deps.invitations.clampOpen(share.id, updated.expiresAt);
      // The terms by version and hash: their text may be longer than an audit event's detail.
      const changes = terms ? { ...b, terms: termsTrace(currentTerms(terms)) } : b;
      req.audit.note({ detail: { changes, sessionsEnded: deps.endSessions(share.id, 'share changed') } });
      req.log.info({ share: share.id, changes: Object.keys(changes) }, 'share changed');
      return view(updated);
    },
  );

  app.post(
    '/api/shares/:id/revoke',
    {
      config: { audit: { action: 'share.revoke', target: byId('share') } },
      schema: {
        summary: 'Revoke a share; its live sessions end at once',
        params: Id,
        response: { 200: Share, ...errors },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      const share = await load(actor, req.params.id, 'revoke');
      await deps.shares.revoke(share.id);
      await deps.invitations.revokeOpen({ kind: 'client', shareId: share.id });
      req.audit.note({ detail: { sessionsEnded: deps.endSessions(share.id, 'share revoked') } });
      req.log.info({ share: share.id }, 'share revoked');
      return view((await deps.shares.get(share.id))!);
    },
  );

  app.post(
    '/api/shares/:id/invitation',
    {
      config: { audit: { action: 'invitation.create', target: byId('share') } },
      schema: {
        summary: 'A fresh invitation link for a share nobody has accepted yet (the old link stops working)',
        params: Id,
        response: { 201: ShareInvitationLink, ...errors },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const share = await load(actor, req.params.id, 'update');
      if (share.client) throw new DomainError(409, 'share-accepted', 'This share has already been accepted.');
      return reply.status(201).send(await newInvitation(actor, share));
    },
  );

  for (const [suffix, archived] of [
    ['archive', true],
    ['unarchive', false],
  ] as const) {
    app.post(
      `/api/shares/:id/${suffix}`,
      {
        config: { audit: { action: archived ? 'share.archive' : 'share.unarchive', target: byId('share') } },
        schema: {
          summary: archived
            ? 'Hide a revoked or expired share from my list (GET /api/shares?archived=include still shows it)'
            : 'Show an archived share in my list again',
          params: Id,
          response: { 200: Share, ...errors },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        const share = await load(actor, req.params.id, 'read');
        const status = shareStatus(share, Date.now());
        if (status !== 'revoked' && status !== 'expired') {
          throw new DomainError(409, 'share-not-over', 'Only a revoked or expired share can be archived.');
        }
        authorize(actor, 'archive', 'Share', { ownerId: share.ownerId, clientId: share.client?.id ?? null, status });
        await deps.shares.setArchived(share.id, archived);
        return view((await deps.shares.get(share.id))!);
      },
    );
  }

  app.post(
    '/api/shares/:id/invitation/send',
    {
      config: {
        perPerson: INVITATION_MAILS,
        audit: { action: 'share.invitation-sent', target: byId('share') },
      },
      schema: {
        summary: "E-mail a pending share's invitation link to its client (the link's token says which link)",
        params: Id,
        body: SendInvitationBody,
        response: { 200: InvitationSent, ...errors, 502: ApiErrorBody, 503: ApiErrorBody },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      const share = await load(actor, req.params.id, 'update');
      if (!deps.mailer) {
        throw new DomainError(503, 'mail-not-configured', 'This server sends no e-mail (SMTP_URL is not set).');
      }
      if (share.client) throw new DomainError(409, 'share-accepted', 'This share has already been accepted.');
      // Only the share's own open link: the token proves the owner holds it (only its hash is stored).
      const invitation = await deps.invitations.find(req.body.token);
      if (invitation.kind !== 'client' || invitation.shareId !== share.id) {
        throw new DomainError(404, 'invalid-invitation', 'This invitation link is not one of this share.');
      }
      const hasAccount = (await deps.accountRole(share.clientEmail)) === 'client';
      req.audit.note({ detail: { to: share.clientEmail, invitation: invitation.id } });
      try {
        const { messageId } = await deps.mailer.send(
          invitationMail({
            to: share.clientEmail,
            ownerName: share.ownerName,
            label: share.label,
            link: invitationLink(deps.publicUrl(), req.body.token),
            expiresAt: invitation.expiresAt,
            hasAccount,
          }),
        );
        req.log.info({ share: share.id, invitation: invitation.id, messageId }, 'invitation e-mailed');
      } catch (err) {
        if (!(err instanceof MailError)) throw err;
        req.log.warn({ share: share.id, invitation: invitation.id, problem: err.message }, 'invitation not e-mailed');
        throw new DomainError(502, 'mail-failed', `The e-mail was not sent: ${err.message}.`);
      }
      return { to: share.clientEmail };
    },
  );

  app.get(
    '/api/shared-with-me',
    {
      config: { audit: { action: 'share.received' } },
      schema: { summary: 'Shares I may open (clients)', response: { 200: z.array(ReceivedShare), 403: ApiErrorBody } },
    },
    async (req) => {
      const actor = actorOf(req);
      // Receiving shares is what client accounts are for: owners are refused like any other role mismatch.
      authorize(actor, 'open', 'Share', { ownerId: '', clientId: actor.id, status: 'active' });
      const shares = await deps.shares.forClient(actor.id, new Date());
      const accepted = await deps.acceptances.latestVersions(
        actor.id,
        shares.map((s) => s.id),
      );
      return shares.map((s) => ({
        id: s.id,
        label: s.label,
        owner: { displayName: s.ownerName, email: s.ownerEmail },
        paths: s.paths,
        expiresAt: s.expiresAt.toISOString(),
        maxSessionMinutes: s.maxSessionMinutes,
        watermark: s.watermark,
        recording: s.recording,
        liveView: s.liveView,
        ...termsFor(currentTerms(s.terms), accepted.get(s.id) ?? null),
        apps: offeredApps(s.apps, deps.appName),
      }));
    },
  );
}

/** The client's view of a share's terms: the text in force, and whether (and which) they accepted. */
function termsFor(terms: ReturnType<typeof currentTerms>, acceptedVersion: number | null) {
  return {
    terms,
    termsAccepted: terms === null || acceptedVersion === terms.version,
    termsAcceptedVersion: acceptedVersion,
  };
}
