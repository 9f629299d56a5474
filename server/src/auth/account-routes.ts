import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  AddPasskeyBody,
  ApiErrorBody,
  Ceremony,
  InvitationLink,
  OwnerInvitationBody,
  Passkey,
  RenamePasskeyBody,
  SignIn,
} from '@vitrine/protocol';
import { byId, str } from '../audit/route-audit.ts';
import { DomainError } from '../errors.ts';
import { authorize, type Actor } from '../policies/policies.ts';
import { actorOf } from './guard.ts';
import { inviteOwner } from './owner-invitations.ts';
import type { Invitations } from './invitations.ts';
import type { SignIns } from './sign-ins.ts';
import type { Users } from './users.ts';
import type { WebAuthn } from './webauthn.ts';

export interface AccountDeps {
  users: Users;
  signIns: SignIns;
  webauthn: WebAuthn;
  invitations: Invitations;
  publicUrl: () => string;
  invitationTtlMs: number;
  onSignedOut: (signInId: string) => void;
}

const Id = z.object({ id: z.uuid() });
const errors = { 400: ApiErrorBody, 403: ApiErrorBody, 404: ApiErrorBody, 409: ApiErrorBody };

/** A person's own passkeys and sign-ins, and the admin's owner invitations. */
export function registerAccountRoutes(server: FastifyInstance, deps: AccountDeps): void {
  const app = server.withTypeProvider<ZodTypeProvider>();

  const checkPasskey = async (actor: Actor, id: string) => {
    const userId = await deps.users.passkeyOwner(id);
    if (!userId) throw new DomainError(404, 'not-found', 'no such passkey');
    authorize(actor, 'manage', 'Passkey', { userId });
  };

  app.get(
    '/api/me/passkeys',
    {
      config: { audit: { action: 'passkey.list' } },
      schema: { summary: 'My passkeys', response: { 200: z.array(Passkey) } },
    },
    (req) => deps.users.passkeys(actorOf(req).id),
  );

  app.post(
    '/api/me/passkeys/options',
    {
      config: { audit: { action: 'passkey.add-start' } },
      schema: {
        summary: 'Start adding a passkey',
        body: z.object({}).strict().optional(),
        response: { 200: Ceremony },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      const user = await deps.users.get(actor.id);
      if (!user) throw new DomainError(401, 'unauthenticated', 'sign in first');
      return deps.webauthn.registrationOptions(
        'add-passkey',
        user,
        { userId: user.id, invitationId: null, data: {} },
        await deps.users.credentialIds(user.id),
      );
    },
  );

  app.post(
    '/api/me/passkeys',
    {
      config: { audit: { action: 'passkey.add' } },
      schema: { summary: 'Finish adding a passkey', body: AddPasskeyBody, response: { 201: Passkey, ...errors } },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const { pending, credential } = await deps.webauthn.verifyRegistration(
        req.body.ceremonyId,
        'add-passkey',
        req.body.response,
      );
      // The ceremony was started by this user; finishing it from another account is refused.
      if (pending.userId !== actor.id) throw new DomainError(400, 'ceremony-expired', 'This ceremony is not yours.');
      if (await deps.users.passkeyByCredential(credential.credentialId)) {
        throw new DomainError(409, 'passkey-exists', 'This passkey is already registered.');
      }
      const count = (await deps.users.passkeys(actor.id)).length;
      const passkey = await deps.users.addPasskey({
        userId: actor.id,
        ...credential,
        name: req.body.name ?? `Passkey ${count + 1}`,
      });
      req.audit.note({ target: { type: 'passkey', id: passkey.id, path: passkey.name } });
      return reply.status(201).send(passkey);
    },
  );

  app.patch(
    '/api/me/passkeys/:id',
    {
      config: { audit: { action: 'passkey.rename', target: byId('passkey') } },
      schema: {
        summary: 'Rename a passkey',
        params: Id,
        body: RenamePasskeyBody,
        response: { 200: Passkey, ...errors },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      await checkPasskey(actor, req.params.id);
      await deps.users.renamePasskey(req.params.id, req.body.name);
      const found = (await deps.users.passkeys(actor.id)).find((p) => p.id === req.params.id);
      if (!found) throw new DomainError(404, 'not-found', 'no such passkey');
      return found;
    },
  );

  app.delete(
    '/api/me/passkeys/:id',
    {
      config: { audit: { action: 'passkey.remove', target: byId('passkey') } },
      schema: { summary: 'Remove a passkey (not the last one)', params: Id, response: { 204: z.null(), ...errors } },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      await checkPasskey(actor, req.params.id);
      await deps.users.removePasskey(req.params.id, actor.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/me/sign-ins',
    {
      config: { audit: { action: 'sign-in.list' } },
      schema: { summary: 'My active sign-ins', response: { 200: z.array(SignIn) } },
    },
    async (req) => {
      const actor = actorOf(req);
      const rows = await deps.signIns.list(actor.id);
      return rows.map((r) => ({
        id: r.id,
        createdAt: r.createdAt.toISOString(),
        lastSeenAt: r.lastSeenAt.toISOString(),
        expiresAt: r.expiresAt.toISOString(),
        userAgent: r.userAgent,
        current: r.id === actor.signInId,
      }));
    },
  );

  app.delete(
    '/api/me/sign-ins/:id',
    {
      config: { audit: { action: 'sign-in.revoke', target: byId('sign-in') } },
      schema: { summary: 'Revoke a sign-in', params: Id, response: { 204: z.null(), ...errors } },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const userId = await deps.signIns.owner(req.params.id);
      if (!userId) throw new DomainError(404, 'not-found', 'no such sign-in');
      authorize(actor, 'revoke', 'SignIn', { userId });
      await deps.signIns.revoke(req.params.id);
      deps.onSignedOut(req.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/admin/invitations',
    {
      config: {
        audit: {
          action: 'invitation.create',
          target: (r) => ({ type: 'invitation', path: str(r.body.email) ?? null }),
        },
      },
      schema: {
        summary: 'Invite another owner (admins)',
        body: OwnerInvitationBody,
        response: { 201: InvitationLink, ...errors },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      authorize(actor, 'create', 'OwnerInvitation', {});
      const { link, expiresAt } = await inviteOwner(deps, req.body.email);
      req.log.info({ by: actor.id }, 'owner invited');
      return reply.status(201).send({ link, expiresAt: expiresAt.toISOString() });
    },
  );
}
