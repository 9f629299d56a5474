import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  ApiErrorBody,
  Ceremony,
  InvitationInfo,
  InvitationTokenBody,
  LoginVerifyBody,
  Me,
  RegisterOptionsBody,
  RegisterVerifyBody,
} from '@vitrine/protocol';
import { DomainError } from '../errors.ts';
import { authorize } from '../policies/policies.ts';
import type { Accounts } from './accounts.ts';
import { clearedCookie, signInCookie } from './cookie.ts';
import { actorOf } from './guard.ts';
import type { Invitations } from './invitations.ts';
import type { SignIns } from './sign-ins.ts';
import type { Users } from './users.ts';
import type { WebAuthn } from './webauthn.ts';

export interface AuthDeps {
  accounts: Accounts;
  users: Users;
  invitations: Invitations;
  signIns: SignIns;
  webauthn: WebAuthn;
  publicUrl: () => string;
  maxAgeMs: number;
  /** What a client invitation offers (owner, label, paths); null if the share is gone. */
  describeShare: (shareId: string) => Promise<InvitationInfo['share']>;
  /** Called when a sign-in ends, so what it started (streamed sessions) ends too. */
  onSignedOut: (signInId: string) => void;
}

const errors = { 400: ApiErrorBody, 401: ApiErrorBody, 404: ApiErrorBody, 409: ApiErrorBody, 410: ApiErrorBody };

/** Sign-up through an invitation, sign-in and sign-out with passkeys. */
export function registerAuthRoutes(server: FastifyInstance, deps: AuthDeps): void {
  const app = server.withTypeProvider<ZodTypeProvider>();

  const startSignIn = async (req: FastifyRequest, reply: FastifyReply, userId: string) => {
    const { token } = await deps.signIns.create(userId, req.headers['user-agent'] ?? 'unknown');
    reply.header('set-cookie', signInCookie(deps.publicUrl(), token, deps.maxAgeMs));
  };
  const me = async (id: string) => {
    const user = await deps.users.get(id);
    if (!user) throw new DomainError(401, 'unauthenticated', 'sign in first');
    const { webauthnUserId: _hidden, ...rest } = user;
    return rest;
  };

  app.get(
    '/api/auth/me',
    {
      config: { audit: { action: 'auth.whoami' } },
      schema: { summary: 'Who is signed in', response: { 200: Me, 401: ApiErrorBody } },
    },
    (req) => me(actorOf(req).id),
  );

  app.post(
    '/api/invitations/inspect',
    {
      config: { public: true, audit: { action: 'invitation.inspect', security: true } },
      schema: {
        summary: 'What an invitation offers',
        body: InvitationTokenBody,
        response: { 200: InvitationInfo, ...errors },
      },
    },
    async (req) => {
      const inv = await deps.invitations.find(req.body.token);
      return {
        kind: inv.kind,
        email: inv.email,
        expiresAt: inv.expiresAt.toISOString(),
        share: inv.kind === 'client' && inv.shareId ? await deps.describeShare(inv.shareId) : null,
      };
    },
  );

  app.post(
    '/api/auth/register/options',
    {
      config: { public: true, audit: { action: 'auth.register-start' } },
      schema: {
        summary: 'Start registering a passkey for a new account (needs an invitation)',
        body: RegisterOptionsBody,
        response: { 200: Ceremony, ...errors },
      },
    },
    (req) => deps.accounts.registrationOptions(req.body.token, req.body.displayName, req.body.email),
  );

  app.post(
    '/api/auth/register/verify',
    {
      config: { public: true, audit: { action: 'auth.register' } },
      schema: {
        summary: 'Finish registering: creates the account and signs in',
        body: RegisterVerifyBody,
        response: { 201: Me, ...errors },
      },
    },
    async (req, reply) => {
      const { user, invitation } = await deps.accounts.register(
        req.body.ceremonyId,
        req.body.response,
        req.body.passkeyName,
      );
      req.audit.note({
        actor: { id: user.id, role: user.role },
        target: { type: 'user', id: user.id, path: user.email },
        shareId: invitation.shareId,
        detail: { invitation: invitation.id, invitationKind: invitation.kind, admin: user.admin },
      });
      await startSignIn(req, reply, user.id);
      req.log.info({ user: user.id, role: user.role }, 'account created');
      return reply.status(201).send(user);
    },
  );

  app.post(
    '/api/auth/login/options',
    {
      config: { public: true, audit: { action: 'auth.sign-in-start' } },
      schema: {
        summary: 'Start signing in with a passkey',
        body: z.object({}).strict().optional(),
        response: { 200: Ceremony },
      },
    },
    () => deps.webauthn.loginOptions(),
  );

  app.post(
    '/api/auth/login/verify',
    {
      config: { public: true, audit: { action: 'auth.sign-in' } },
      schema: { summary: 'Finish signing in', body: LoginVerifyBody, response: { 200: Me, ...errors } },
    },
    async (req, reply) => {
      const userId = await deps.webauthn.verifyLogin(req.body.ceremonyId, req.body.response);
      const user = await me(userId);
      req.audit.note({ actor: { id: user.id, role: user.role }, target: { type: 'user', id: user.id } });
      await startSignIn(req, reply, userId);
      return user;
    },
  );

  app.post(
    '/api/auth/logout',
    {
      config: { audit: { action: 'auth.sign-out' } },
      schema: { summary: 'Sign out (the sign-in is revoked on the server)', response: { 204: z.null() } },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      req.audit.note({ target: { type: 'sign-in', id: actor.signInId } });
      await deps.signIns.revoke(actor.signInId);
      deps.onSignedOut(actor.signInId);
      reply.header('set-cookie', clearedCookie(deps.publicUrl()));
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/invitations/accept',
    {
      // Guessing a 256-bit token is hopeless; the limit keeps the attempts from costing anything.
      config: { perPerson: { burst: 10, perMinute: 10 }, audit: { action: 'invitation.accept' } },
      schema: {
        summary: 'A signed-in client adds a share they were invited to',
        body: InvitationTokenBody,
        response: { 204: z.null(), ...errors, 403: ApiErrorBody },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      authorize(actor, 'accept', 'ShareInvitation', {});
      await deps.accounts.accept(req.body.token, actor.id, (invitation) =>
        req.audit.note({ target: { type: 'invitation', id: invitation.id }, shareId: invitation.shareId }),
      );
      return reply.status(204).send(null);
    },
  );
}
