import { z } from 'zod';
import { StoragePath } from './files.ts';
import { Email, multilineText, plainText } from './text.ts';

/** Shares: what an owner lets one client see, and how. */

/** Each level includes the ones before it: edit = create, rename and write; delete = edit + delete. */
export const ShareAccess = z.enum(['view', 'edit', 'delete']);
export type ShareAccess = z.infer<typeof ShareAccess>;

export const SharePath = z.object({ path: StoragePath, access: ShareAccess });
export type SharePath = z.infer<typeof SharePath>;

export const ShareStatus = z.enum(['pending', 'active', 'expired', 'revoked']);
export type ShareStatus = z.infer<typeof ShareStatus>;

/** How many stamps the watermark has; at every density each quarter of the picture holds a whole one. */
export const WatermarkDensity = z.enum(['sparse', 'normal', 'dense']);
export type WatermarkDensity = z.infer<typeof WatermarkDensity>;

/**
 * How strongly the stamps show (the share of a stamp's pixels that replaces the picture's). At
 * `max` and the densest setting OCR still reads ≥ 99 % of the characters of a document it reads
 * without a watermark (e2e/watermark.e2e.test.ts; at 0.25 it was 99.4–99.7 %, too close); below
 * `min` the video encoder smooths faint stamps away and a photographed screen loses them.
 */
export const WATERMARK_OPACITY = { min: 0.06, max: 0.2, default: 0.12 } as const;
export const WatermarkOpacity = z.number().min(WATERMARK_OPACITY.min).max(WATERMARK_OPACITY.max);
export const WATERMARK_DEFAULT_DENSITY: WatermarkDensity = 'normal';

/** The longest terms an owner may set, in characters (a few pages of plain text). */
export const TERMS_MAX_CHARS = 20_000;

/**
 * What the client must accept before a share opens: plain text, and its version (the server's: 1
 * for the first text, one more each time the text changes).
 */
export const ShareTerms = z.object({ version: z.number().int().positive(), text: z.string() });
export type ShareTerms = z.infer<typeof ShareTerms>;

/**
 * An app's id: the name of its folder under APPS_ROOT (the server's registry loads no folder whose
 * name does not match).
 */
export const APP_ID_PATTERN = /^[a-z0-9][a-z0-9._-]{0,62}$/;
export const AppId = z.string().regex(APP_ID_PATTERN, 'not an app id (a-z, 0-9, ".", "_", "-"; at most 63)');

/** How many apps one share may name. */
export const SHARE_APPS_MAX = 16;

/** What a share opens in unless its owner chooses otherwise (and what shares made before the choice open in). */
export const DEFAULT_SHARE_APPS: readonly string[] = ['file-explorer'];

/** The apps a share's client may open, by id: the server refuses any other on that share. */
export const ShareApps = z.array(AppId).min(1, 'name at least one app').max(SHARE_APPS_MAX);

/** An installed app a share's client may open, as "Shared with me" offers it. */
export const SharedApp = z.object({ id: z.string(), name: z.string() });
export type SharedApp = z.infer<typeof SharedApp>;

/** A share as its owner sees it. */
export const Share = z.object({
  id: z.uuid(),
  label: z.string(),
  clientEmail: z.string(),
  client: z.object({ id: z.uuid(), displayName: z.string(), email: z.string() }).nullable(),
  paths: z.array(SharePath),
  expiresAt: z.string(),
  maxSessionMinutes: z.number().int().nullable(),
  watermark: z.boolean(),
  watermarkDensity: WatermarkDensity,
  watermarkOpacity: z.number(),
  /** The owner records the client's sessions of this share (the client is told before each one). */
  recording: z.boolean(),
  /** The owner may watch the client's live sessions. */
  liveView: z.boolean(),
  terms: ShareTerms.nullable(),
  /** The apps the client may open (ids; one may have been uninstalled since). */
  apps: z.array(z.string()),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
  /** Hidden from the owner's list (only a revoked or expired share); null while listed. */
  archivedAt: z.string().nullable(),
  status: ShareStatus,
  liveSessions: z.number().int(),
});
export type Share = z.infer<typeof Share>;

/** A share as its client sees it ("Shared with me"). No host paths, no bytes. */
export const ReceivedShare = z.object({
  id: z.uuid(),
  label: z.string(),
  owner: z.object({ displayName: z.string(), email: z.string() }),
  paths: z.array(SharePath),
  expiresAt: z.string(),
  maxSessionMinutes: z.number().int().nullable(),
  watermark: z.boolean(),
  recording: z.boolean(),
  liveView: z.boolean(),
  terms: ShareTerms.nullable(),
  /** The client has accepted the current version of the terms (true when there are none). */
  termsAccepted: z.boolean(),
  /** The newest version the client accepted (an older one: the terms changed since); null: never. */
  termsAcceptedVersion: z.number().int().nullable(),
  /** The apps the share opens in that are installed, in the owner's order (empty: none is any more). */
  apps: z.array(SharedApp),
});
export type ReceivedShare = z.infer<typeof ReceivedShare>;

const Label = plainText(100);
const Paths = z.array(SharePath).min(1, 'share at least one path').max(50);
const ExpiresAt = z.iso.datetime({ offset: true });
const MaxSessionMinutes = z
  .number()
  .int()
  .min(1)
  .max(24 * 60)
  .nullable();
/** The terms' text; empty (or null) means no terms. */
const TermsText = multilineText(TERMS_MAX_CHARS).nullable();

export const CreateShareBody = z
  .object({
    clientEmail: Email,
    label: Label.default(''),
    paths: Paths,
    expiresAt: ExpiresAt,
    maxSessionMinutes: MaxSessionMinutes.default(null),
    watermark: z.boolean().default(true),
    watermarkDensity: WatermarkDensity.default(WATERMARK_DEFAULT_DENSITY),
    watermarkOpacity: WatermarkOpacity.default(WATERMARK_OPACITY.default),
    recording: z.boolean().default(false),
    liveView: z.boolean().default(false),
    termsText: TermsText.default(null),
    /** Not given: `DEFAULT_SHARE_APPS`. Each named app must be installed. */
    apps: ShareApps.optional(),
    /** "Share again": the earlier share (of the same client) this one repeats; recorded on the audit trail. */
    againOf: z.uuid().optional(),
  })
  .strict();

export const UpdateShareBody = z
  .object({
    label: Label.optional(),
    paths: Paths.optional(),
    expiresAt: ExpiresAt.optional(),
    maxSessionMinutes: MaxSessionMinutes.optional(),
    watermark: z.boolean().optional(),
    watermarkDensity: WatermarkDensity.optional(),
    watermarkOpacity: WatermarkOpacity.optional(),
    recording: z.boolean().optional(),
    liveView: z.boolean().optional(),
    /** A different text is a new version the client must accept again; the same text changes nothing. */
    termsText: TermsText.optional(),
    /** Each named app must be installed (like any change, it ends the share's live sessions). */
    apps: ShareApps.optional(),
  })
  .strict();

/** The client accepting a share's terms: the version they read, their typed name, and the tick. */
export const AcceptTermsBody = z
  .object({
    version: z.number().int().positive(),
    typedName: plainText(200).min(1, 'type your full name'),
    agreed: z.literal(true, { message: 'tick "I have read and accept these terms"' }),
  })
  .strict();
export type AcceptTermsBody = z.infer<typeof AcceptTermsBody>;

/** One acceptance of a share's terms, as its owner sees it (and as the CSV lists it). */
export const TermsAcceptance = z.object({
  id: z.uuid(),
  person: z.object({ id: z.uuid(), name: z.string().nullable(), email: z.string().nullable() }),
  version: z.number().int(),
  typedName: z.string(),
  acceptedAt: z.string(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
});
export type TermsAcceptance = z.infer<typeof TermsAcceptance>;

/** A share's acceptances, newest first, with the terms now in force. */
export const TermsAcceptances = z.object({
  shareId: z.uuid(),
  terms: ShareTerms.nullable(),
  acceptances: z.array(TermsAcceptance),
});
export type TermsAcceptances = z.infer<typeof TermsAcceptances>;

/** What the client gets back for an acceptance. */
export const TermsAccepted = z.object({ version: z.number().int(), acceptedAt: z.string() });
export type TermsAccepted = z.infer<typeof TermsAccepted>;

/**
 * A client's invitation link (shown once; never later than the share's own expiry) and whether
 * the server can send it by e-mail (SMTP configured).
 */
export const ShareInvitationLink = z.object({ link: z.string(), expiresAt: z.string(), canEmail: z.boolean() });
export type ShareInvitationLink = z.infer<typeof ShareInvitationLink>;

/** A new share and the client's invitation link (shown once). */
export const CreatedShare = z.object({
  share: Share,
  invitation: ShareInvitationLink,
  /**
   * The client's e-mail already belongs to an account: a client's (they sign in and open the link,
   * no sign-up) or an owner's (owners cannot receive shares); null for someone new.
   */
  existingAccount: z.enum(['client', 'owner']).nullable(),
});
export type CreatedShare = z.infer<typeof CreatedShare>;

/** The owner's list: archived shares only on request. */
export const ListSharesQuery = z.object({ archived: z.enum(['include', 'exclude']).default('exclude') }).strict();

/** E-mail a share's invitation link to its client: the link's token (from the fragment) proves which. */
export const SendInvitationBody = z.object({ token: z.string().min(20).max(128) }).strict();

export const InvitationSent = z.object({ to: z.string() });
export type InvitationSent = z.infer<typeof InvitationSent>;
