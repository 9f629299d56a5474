/** Shares: what an owner lets one client see (`/api/shares`), and what a client received (`/api/shared-with-me`). */
import type {
  AcceptTermsBody,
  CreatedShare,
  InvitationSent,
  ReceivedShare,
  Share,
  SharedApp,
  ShareAccess,
  ShareInvitationLink,
  SharePath,
  ShareStatus,
  ShareTerms,
  TermsAccepted,
  WatermarkDensity,
} from '@vitrine/protocol';
import { apiRequest } from '../shared/api.ts';

/** A client's invitation link as the shares API returns it (with whether it can be e-mailed). */
export type InvitationLink = ShareInvitationLink;
export type {
  CreatedShare,
  InvitationSent,
  ReceivedShare,
  Share,
  SharedApp,
  ShareAccess,
  SharePath,
  ShareStatus,
  ShareTerms,
};

export interface CreateShareInput {
  clientEmail: string;
  label: string;
  paths: SharePath[];
  /** ISO 8601 with an offset or Z. */
  expiresAt: string;
  maxSessionMinutes: number | null;
  watermark: boolean;
  /** How many stamps and how strongly they show (the server's defaults when left out). */
  watermarkDensity?: WatermarkDensity;
  watermarkOpacity?: number;
  /** The owner records the client's sessions / may watch them live (off when left out). */
  recording?: boolean;
  liveView?: boolean;
  /** Terms the client must accept first; empty or null: none. A changed text asks the client again. */
  termsText?: string | null;
  /** The apps the client may open (installed ones; the File Explorer when left out). */
  apps?: string[];
  /** "Share again": the earlier share (same client) this one repeats. */
  againOf?: string;
}

export type UpdateShareInput = Partial<Omit<CreateShareInput, 'clientEmail' | 'againOf'>>;

const sharePath = (id: string) => `/api/shares/${encodeURIComponent(id)}`;

/** My shares, without the archived ones. */
export function listShares(signal?: AbortSignal): Promise<Share[]> {
  return apiRequest<Share[]>('GET', '/api/shares', undefined, signal);
}

/** My shares, the archived ones included ("Show archived"). */
export function listSharesWithArchived(signal?: AbortSignal): Promise<Share[]> {
  return apiRequest<Share[]>('GET', '/api/shares?archived=include', undefined, signal);
}

/** Hides a revoked or expired share from the list, or shows it again. */
export function setShareArchived(id: string, archived: boolean): Promise<Share> {
  return apiRequest<Share>('POST', `${sharePath(id)}/${archived ? 'archive' : 'unarchive'}`);
}

/** E-mails the invitation link (whose token only this browser has) to the share's client. */
export function sendInvitationByEmail(id: string, link: string): Promise<InvitationSent> {
  const token = new URL(link, window.location.origin).hash.slice(1);
  return apiRequest<InvitationSent>('POST', `${sharePath(id)}/invitation/send`, { token });
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

/** Clients: accepts the version of a share's terms they read, with their typed name. */
export function acceptTerms(id: string, body: AcceptTermsBody): Promise<TermsAccepted> {
  return apiRequest<TermsAccepted>('POST', `${sharePath(id)}/terms/accept`, body);
}

/** Who accepted a share's terms, as a CSV file (a plain link: the browser downloads it). */
export function termsAcceptancesCsvUrl(id: string): string {
  return `${sharePath(id)}/terms/acceptances.csv`;
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
