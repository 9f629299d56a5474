import { z } from 'zod';
import { StoragePath } from './files.ts';
import { Email, plainText } from './text.ts';

/** Shares: what an owner lets one client see, and how. */

/** Each level includes the ones before it: edit = create, rename and write; delete = edit + delete. */
export const ShareAccess = z.enum(['view', 'edit', 'delete']);
export type ShareAccess = z.infer<typeof ShareAccess>;

export const SharePath = z.object({ path: StoragePath, access: ShareAccess });
export type SharePath = z.infer<typeof SharePath>;

export const ShareStatus = z.enum(['pending', 'active', 'expired', 'revoked']);
export type ShareStatus = z.infer<typeof ShareStatus>;

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
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
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

export const CreateShareBody = z
  .object({
    clientEmail: Email,
    label: Label.default(''),
    paths: Paths,
    expiresAt: ExpiresAt,
    maxSessionMinutes: MaxSessionMinutes.default(null),
    watermark: z.boolean().default(true),
  })
  .strict();

export const UpdateShareBody = z
  .object({
    label: Label.optional(),
    paths: Paths.optional(),
    expiresAt: ExpiresAt.optional(),
    maxSessionMinutes: MaxSessionMinutes.optional(),
    watermark: z.boolean().optional(),
  })
  .strict();

/** A new share and the client's invitation link (shown once). */
export const CreatedShare = z.object({
  share: Share,
  invitation: z.object({ link: z.string(), expiresAt: z.string() }),
});
export type CreatedShare = z.infer<typeof CreatedShare>;
