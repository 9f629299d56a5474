import { z } from 'zod';
import { Email, plainText } from './text.ts';

/** Accounts, passkeys, sign-ins and invitations: JSON shapes shared by server and web client. */

export const Role = z.enum(['owner', 'client']);
export type Role = z.infer<typeof Role>;

export { Email };

export const DisplayName = plainText(100).min(1, 'a name is required');

export const Me = z.object({
  id: z.uuid(),
  email: z.string(),
  displayName: z.string(),
  role: Role,
  admin: z.boolean(),
});
export type Me = z.infer<typeof Me>;

const b64url = (max: number) =>
  z
    .string()
    .max(max)
    .regex(/^[A-Za-z0-9_-]*$/, 'expected base64url');

/** What `@simplewebauthn/browser` returns from `startRegistration`; verified by the server. */
export const RegistrationResponse = z.object({
  id: b64url(1024),
  rawId: b64url(1024),
  type: z.literal('public-key'),
  response: z.looseObject({
    clientDataJSON: b64url(8192),
    attestationObject: b64url(16384),
    transports: z.array(z.string().max(32)).max(10).optional(),
  }),
  authenticatorAttachment: z.string().max(32).optional(),
  clientExtensionResults: z.record(z.string(), z.unknown()),
});
export type RegistrationResponse = z.infer<typeof RegistrationResponse>;

/** What `@simplewebauthn/browser` returns from `startAuthentication`. */
export const AuthenticationResponse = z.object({
  id: b64url(1024),
  rawId: b64url(1024),
  type: z.literal('public-key'),
  response: z.looseObject({
    clientDataJSON: b64url(8192),
    authenticatorData: b64url(8192),
    signature: b64url(2048),
    userHandle: b64url(1024).optional(),
  }),
  authenticatorAttachment: z.string().max(32).optional(),
  clientExtensionResults: z.record(z.string(), z.unknown()),
});
export type AuthenticationResponse = z.infer<typeof AuthenticationResponse>;

/** A WebAuthn ceremony: the options for the browser and the id to send back with its answer. */
export const Ceremony = z.object({
  ceremonyId: z.uuid(),
  /** PublicKeyCredentialCreationOptionsJSON or PublicKeyCredentialRequestOptionsJSON. */
  options: z.record(z.string(), z.unknown()),
});
export type Ceremony = z.infer<typeof Ceremony>;

export const PasskeyName = plainText(64).min(1, 'a name is required');

export const Passkey = z.object({
  id: z.uuid(),
  name: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  backedUp: z.boolean(),
});
export type Passkey = z.infer<typeof Passkey>;

export const SignIn = z.object({
  id: z.uuid(),
  createdAt: z.string(),
  lastSeenAt: z.string(),
  expiresAt: z.string(),
  userAgent: z.string(),
  /** The sign-in this request was made with. */
  current: z.boolean(),
});
export type SignIn = z.infer<typeof SignIn>;

/** A secret invitation token as it appears in a link's fragment (`/invite#<token>`). */
export const InvitationToken = b64url(64).min(32);

export const InvitationKind = z.enum(['setup', 'owner', 'client']);
export type InvitationKind = z.infer<typeof InvitationKind>;

/** What an invitation offers, shown before the person registers or accepts. */
export const InvitationInfo = z.object({
  kind: InvitationKind,
  email: z.string().nullable(),
  expiresAt: z.string(),
  /** For a client invitation: who shares what. */
  share: z
    .object({
      ownerName: z.string(),
      label: z.string(),
      paths: z.array(z.object({ path: z.string(), access: z.enum(['view', 'edit', 'delete']) })),
    })
    .nullable(),
});
export type InvitationInfo = z.infer<typeof InvitationInfo>;

/** An invitation link as handed to the person who invites (shown once; only its hash is stored). */
export const InvitationLink = z.object({ link: z.string(), expiresAt: z.string() });
export type InvitationLink = z.infer<typeof InvitationLink>;

// Request bodies.
export const RegisterOptionsBody = z
  .object({ token: InvitationToken, displayName: DisplayName, email: Email.optional() })
  .strict();
export const RegisterVerifyBody = z
  .object({ ceremonyId: z.uuid(), response: RegistrationResponse, passkeyName: PasskeyName.optional() })
  .strict();
export const LoginVerifyBody = z.object({ ceremonyId: z.uuid(), response: AuthenticationResponse }).strict();
export const AddPasskeyBody = z
  .object({ ceremonyId: z.uuid(), response: RegistrationResponse, name: PasskeyName.optional() })
  .strict();
export const RenamePasskeyBody = z.object({ name: PasskeyName }).strict();
export const InvitationTokenBody = z.object({ token: InvitationToken }).strict();
export const OwnerInvitationBody = z.object({ email: Email }).strict();
