import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AcceptTermsBody, ApiErrorBody, TermsAccepted, TermsAcceptances } from '@vitrine/protocol';
import { byId } from '../audit/route-audit.ts';
import { actorOf } from '../auth/guard.ts';
import { DomainError } from '../errors.ts';
import { authorize, type Actor } from '../policies/policies.ts';
import { shareStatus, type ShareStore } from './share-store.ts';
import { termsAcceptancesCsv } from './terms-csv.ts';
import { TermsAcceptanceStore } from './terms-store.ts';
import { currentTerms, termsTrace } from './terms.ts';

export interface TermsDeps {
  shares: Pick<ShareStore, 'get'>;
  acceptances: TermsAcceptanceStore;
}

const Id = z.object({ id: z.uuid() });
const errors = { 400: ApiErrorBody, 403: ApiErrorBody, 404: ApiErrorBody, 409: ApiErrorBody };

/** A client accepting a share's terms, and the owner's record of who accepted them (JSON and CSV). */
export function registerTermsRoutes(server: FastifyInstance, deps: TermsDeps): void {
  const app = server.withTypeProvider<ZodTypeProvider>();
  const acceptancesOf = async (actor: Actor, id: string): Promise<TermsAcceptances> => {
    const share = await deps.shares.get(id);
    if (!share) throw new DomainError(404, 'not-found', 'no such share');
    authorize(actor, 'read', 'TermsAcceptances', { ownerId: share.ownerId });
    return { shareId: share.id, terms: currentTerms(share.terms), acceptances: await deps.acceptances.ofShare(id) };
  };

  app.post(
    '/api/shares/:id/terms/accept',
    {
      config: { audit: { action: 'share.terms-accept', target: byId('share') } },
      schema: {
        summary: "Accept a share's terms (clients): the version read, the name typed, and the tick",
        params: Id,
        body: AcceptTermsBody,
        response: { 201: TermsAccepted, ...errors },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const share = await deps.shares.get(req.params.id);
      if (!share) throw new DomainError(404, 'not-found', 'no such share');
      authorize(actor, 'accept-terms', 'Share', {
        ownerId: share.ownerId,
        clientId: share.client?.id ?? null,
        status: shareStatus(share, Date.now()),
      });
      const { version, typedName } = req.body;
      const terms = currentTerms(share.terms);
      if (!terms) throw new DomainError(409, 'terms-changed', 'This share no longer has terms to accept.');
      if (terms.version !== version) {
        throw new DomainError(
          409,
          'terms-changed',
          `The terms changed while you were reading them: read version ${terms.version} and accept it.`,
        );
      }
      req.audit.note({
        target: { type: 'share', id: share.id, path: share.label },
        shareId: share.id,
        // On the owner's part of the trail: the acceptance is theirs to show.
        ownerId: share.ownerId,
        detail: { version, typedName, terms: termsTrace(terms) },
      });
      const earlier = await deps.acceptances.acceptedAt(share.id, actor.id, version);
      if (earlier) {
        req.audit.note({ detail: { alreadyAcceptedAt: earlier.toISOString() } });
        return reply.status(201).send({ version, acceptedAt: earlier.toISOString() });
      }
      // On record before it counts: an acceptance the trail lacks is no acceptance.
      await req.audit.recordNow();
      const acceptedAt = new Date();
      await deps.acceptances.record(
        {
          id: TermsAcceptanceStore.newId(),
          shareId: share.id,
          userId: actor.id,
          version,
          typedName,
          ip: req.ip,
          userAgent: req.headers['user-agent'] ?? null,
        },
        acceptedAt,
      );
      req.log.info({ share: share.id, client: actor.id, version }, 'terms accepted');
      return reply.status(201).send({ version, acceptedAt: acceptedAt.toISOString() });
    },
  );

  app.get(
    '/api/shares/:id/terms/acceptances',
    {
      config: { audit: { action: 'share.terms-acceptances', target: byId('share') } },
      schema: {
        summary: "Who accepted a share's terms: when, which version, the name typed, from where (the owner)",
        params: Id,
        response: { 200: TermsAcceptances, ...errors },
      },
    },
    async (req) => acceptancesOf(actorOf(req), req.params.id),
  );

  app.get(
    '/api/shares/:id/terms/acceptances.csv',
    {
      config: { audit: { action: 'share.terms-acceptances', target: byId('share') } },
      schema: { summary: 'The acceptances as CSV', params: Id, response: { 200: z.string(), ...errors } },
    },
    async (req, reply) => {
      const list = await acceptancesOf(actorOf(req), req.params.id);
      return reply
        .header('Content-Type', 'text/csv; charset=utf-8')
        .header('Content-Disposition', `attachment; filename="terms-acceptances-${req.params.id.slice(0, 8)}.csv"`)
        .send(termsAcceptancesCsv(list));
    },
  );
}
