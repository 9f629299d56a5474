/** Shares: what an owner lets one client see (`/api/shares`), and what a client received (`/api/shared-with-me`). */
import type {
  CreatedShare,
  InvitationLink,
  ReceivedShare,
  Share,
  ShareAccess,
  SharePath,
  ShareStatus,
} from '@vitrine/protocol';
import { apiRequest } from '../shared/api.ts';

export type { CreatedShare, InvitationLink, ReceivedShare, Share, ShareAccess, SharePath, ShareStatus };

export interface CreateShareInput {
  clientEmail: string;
  label: string;
  paths: SharePath[];
  /** ISO 8601 with an offset or Z. */
  expiresAt: string;
  maxSessionMinutes: number | null;
  watermark: boolean;
}

export type UpdateShareInput = Partial<Omit<CreateShareInput, 'clientEmail'>>;

const sharePath = (id: string) => `/api/shares/${encodeURIComponent(id)}`;

export function listShares(signal?: AbortSignal): Promise<Share[]> {
  return apiRequest<Share[]>('GET', '/api/shares', undefined, signal);
}

export function getShare(id: string, signal?: AbortSignal): Promise<Share> {
  return apiRequest<Share>('GET', sharePath(id), undefined, signal);
}

/** Creates a share; the invitation link in the answer is shown once (only its hash is stored). */
export function createShare(input: CreateShareInput): Promise<CreatedShare> {
  return apiRequest<CreatedShare>('POST', '/api/shares', input);
}

/** Changes a share; its live sessions end (they ran under the old terms). */
export function updateShare(id: string, input: UpdateShareInput): Promise<Share> {
  return apiRequest<Share>('PATCH', sharePath(id), input);
}

/** Revokes a share at once; its live sessions end. */
export function revokeShare(id: string): Promise<Share> {
  return apiRequest<Share>('POST', `${sharePath(id)}/revoke`);
}

/** A fresh invitation link for a share nobody has accepted yet. */
export function newInvitationLink(id: string): Promise<InvitationLink> {
  return apiRequest<InvitationLink>('POST', `${sharePath(id)}/invitation`);
}

export function listSharedWithMe(signal?: AbortSignal): Promise<ReceivedShare[]> {
  return apiRequest<ReceivedShare[]>('GET', '/api/shared-with-me', undefined, signal);
}

/** The link as something to paste anywhere: absolute, whatever the server returned. */
export function absoluteLink(link: string): string {
  try {
    return new URL(link, window.location.origin).toString();
  } catch {
    return link;
  }
}
