/**
 * The audit trail (`/api/audit`): an owner's part of it (admins: the whole server), the people in
 * it, exports and the admins' chain check. The Audit page keeps its filters in the URL with the
 * same names the API takes, so one query string serves the page, the list and the export links.
 */
import {
  AuditAction,
  AuditActionFamily,
  type AuditEvent,
  type AuditView,
  type AuditOutcome,
  type AuditPage,
  type AuditPerson,
  type AuditVerifyResult,
} from '@vitrine/protocol';
import { apiRequest } from '../shared/api.ts';

export type { AuditEvent, AuditOutcome, AuditPage, AuditPerson, AuditVerifyResult, AuditView };

export type AuditScope = 'mine' | 'server';

/** What the Audit page filters on; "" means "any". `from`/`to` are ISO 8601 instants. */
export interface AuditFilters {
  /** What clients did (the page's default), or the full trail (`view=all` in the URL). */
  view: AuditView;
  scope: AuditScope;
  person: string;
  share: string;
  /** An action name, or a family ending in "." (e.g. "file."): every action of it. */
  action: AuditAction | AuditActionFamily | '';
  outcome: AuditOutcome | '';
  from: string;
  to: string;
}

export const NO_FILTERS: AuditFilters = {
  view: 'client-activity',
  scope: 'mine',
  person: '',
  share: '',
  action: '',
  outcome: '',
  from: '',
  to: '',
};

export const OUTCOMES: readonly AuditOutcome[] = ['ok', 'denied', 'failed'];

/** Events per page of the Audit page. */
export const AUDIT_PAGE_SIZE = 50;

/** The most a session timeline shows (the API's largest page). */
export const TIMELINE_LIMIT = 500;

const ActionFilter = AuditAction.or(AuditActionFamily);

function validTime(value: string | null): string {
  return value && !Number.isNaN(Date.parse(value)) ? value : '';
}

/** The filters in a query string (`?person=…&outcome=denied`); anything malformed is dropped. */
export function filtersFromSearch(search: string): AuditFilters {
  const q = new URLSearchParams(search);
  const outcome = q.get('outcome') ?? '';
  const action = ActionFilter.safeParse(q.get('action'));
  return {
    view: q.get('view') === 'all' ? 'all' : 'client-activity',
    scope: q.get('scope') === 'server' ? 'server' : 'mine',
    person: q.get('person') ?? '',
    share: q.get('share') ?? '',
    action: action.success ? action.data : '',
    outcome: (OUTCOMES as readonly string[]).includes(outcome) ? (outcome as AuditOutcome) : '',
    from: validTime(q.get('from')),
    to: validTime(q.get('to')),
  };
}

/**
 * The filters as the page's query parameters, leaving out the ones that are not set (and the
 * default view and scope). The API's default view is the full trail: `apiParams` says which.
 */
export function filtersToParams(filters: AuditFilters): URLSearchParams {
  const q = new URLSearchParams();
  if (filters.view === 'all') q.set('view', 'all');
  if (filters.scope === 'server') q.set('scope', 'server');
  for (const key of ['person', 'share', 'action', 'outcome', 'from', 'to'] as const) {
    if (filters[key]) q.set(key, filters[key]);
  }
  return q;
}

/** The filters as the API's query parameters: the page's, with the view always said. */
export function apiParams(filters: AuditFilters): URLSearchParams {
  const q = filtersToParams(filters);
  q.set('view', filters.view);
  return q;
}

/** Whether any filter narrows the trail (the view and the scope do not count). */
export function hasFilters(filters: AuditFilters): boolean {
  return filtersToParams({ ...filters, view: 'client-activity', scope: 'mine' }).size > 0;
}

export interface AuditPaging {
  /** Events older than this sequence number (the previous page's `nextBefore`). */
  before?: number | null;
  limit?: number;
  order?: 'desc' | 'asc';
  /** Only this session's events. */
  session?: string;
}

function withParams(path: string, q: URLSearchParams): string {
  const query = q.toString();
  return query ? `${path}?${query}` : path;
}

/** One page of events, newest first unless `order` says otherwise. */
export function listAuditEvents(filters: AuditFilters, paging: AuditPaging, signal?: AbortSignal): Promise<AuditPage> {
  const q = apiParams(filters);
  if (paging.session) q.set('session', paging.session);
  if (paging.before) q.set('before', String(paging.before));
  q.set('limit', String(paging.limit ?? AUDIT_PAGE_SIZE));
  if (paging.order) q.set('order', paging.order);
  return apiRequest<AuditPage>('GET', withParams('/api/audit', q), undefined, signal);
}

/** A session's events in the order they happened (as many as one page holds). */
export function sessionTimeline(scope: AuditScope, sessionId: string, signal?: AbortSignal): Promise<AuditPage> {
  return listAuditEvents(
    { ...NO_FILTERS, view: 'all', scope },
    { session: sessionId, order: 'asc', limit: TIMELINE_LIMIT },
    signal,
  );
}

/** The people of the person filter: an owner's clients; with `server` (admins), everyone. */
export function listAuditPeople(scope: AuditScope, signal?: AbortSignal): Promise<AuditPerson[]> {
  return apiRequest<AuditPerson[]>(
    'GET',
    withParams('/api/audit/people', scope === 'server' ? new URLSearchParams({ scope }) : new URLSearchParams()),
    undefined,
    signal,
  );
}

/** Admins: checks the whole hash chain of the trail. */
export function verifyAuditChain(signal?: AbortSignal): Promise<AuditVerifyResult> {
  return apiRequest<AuditVerifyResult>('GET', '/api/audit/verify', undefined, signal);
}

/** Where to download every event matching the filters (for a link with `download`; the cookie goes along). */
export function auditExportUrl(filters: AuditFilters, format: 'csv' | 'jsonl'): string {
  const q = new URLSearchParams({ format });
  for (const [key, value] of apiParams(filters)) q.set(key, value);
  return `/api/audit/export?${q.toString()}`;
}
