/**
 * The owner's audit trail. By default, "Client activity": what clients did with the owner's shares
 * (invitations accepted, sessions opened and why they ended, files opened, changes, refused
 * attempts), in words; one click away, the full trail with every event and its action code.
 * Filters and the view live in the query string (a filtered view can be bookmarked); pages go back
 * in time 50 events at a time; any view can be exported. Admins may look at the whole server and
 * check the hash chain.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import Tab from '@mui/material/Tab';
import Tabs from '@mui/material/Tabs';
import Typography from '@mui/material/Typography';
import DownloadIcon from '@mui/icons-material/Download';
import FirstPageIcon from '@mui/icons-material/FirstPage';
import NavigateNextIcon from '@mui/icons-material/NavigateNext';
import { navigate, useLocation } from '../router.ts';
import { describeError } from '../shared/format.ts';
import { EmptyState, Loading, PageAlert, PageHeader } from '../shared/PageParts.tsx';
import { useReloadable } from '../shared/useReloadable.ts';
import { listShares } from '../shares/sharesApi.ts';
import { useSignIn } from '../signin/SignInProvider.tsx';
import {
  auditExportUrl,
  filtersFromSearch,
  filtersToParams,
  hasFilters,
  listAuditEvents,
  listAuditPeople,
  type AuditFilters,
  type AuditPage as AuditEventsPage,
  type AuditView,
} from './auditApi.ts';
import { ActivityTable } from './ActivityTable.tsx';
import { AuditFiltersBar } from './AuditFiltersBar.tsx';
import { AuditTable } from './AuditTable.tsx';
import { AuditTimelineDialog } from './AuditTimelineDialog.tsx';
import { AuditVerifyPanel } from './AuditVerifyPanel.tsx';

const EXPORTS = [
  { format: 'csv', label: 'Export CSV' },
  { format: 'jsonl', label: 'Export JSON lines' },
] as const;

const VIEWS: readonly { view: AuditView; label: string }[] = [
  { view: 'client-activity', label: 'Client activity' },
  { view: 'all', label: 'Full trail' },
];

function subtitleOf(filters: AuditFilters): string {
  if (filters.view === 'client-activity') {
    return filters.scope === 'server'
      ? 'What clients did on this server: invitations accepted, sessions, files opened and changed, refused attempts. Newest first.'
      : 'What your clients did with your shares: invitations accepted, sessions, files opened and changed, refused attempts. Newest first.';
  }
  return filters.scope === 'server'
    ? 'Everything recorded on this server, newest first.'
    : 'Everything recorded about your files, shares and clients, your own actions included: newest first.';
}

/** Where the list is: the filters' query, and the page (`before`) within it. */
interface Cursor {
  query: string;
  before: number | null;
  pageNo: number;
}

export function AuditPage() {
  const { me } = useSignIn();
  const admin = me?.admin === true && me.role === 'owner';
  const location = useLocation();
  const parsed = filtersFromSearch(location.search);
  const filters: AuditFilters = admin ? parsed : { ...parsed, scope: 'mine' };
  const query = filtersToParams(filters).toString();

  // Paging belongs to one set of filters: new filters start again from the newest events.
  const [cursor, setCursor] = useState<Cursor>({ query, before: null, pageNo: 1 });
  const here = cursor.query === query ? cursor : { query, before: null, pageNo: 1 };
  const before = here.before;
  const requestKey = `${query}#${before ?? ''}`;

  const [result, setResult] = useState<{ key: string; page: AuditEventsPage; at: number } | null>(null);
  const [loadError, setLoadError] = useState<{ key: string; message: string } | null>(null);
  const [reloadKey, setReloadKey] = useState(0);
  const [timeline, setTimeline] = useState<string | null>(null);

  const loadPeople = useCallback((signal: AbortSignal) => listAuditPeople(filters.scope, signal), [filters.scope]);
  const people = useReloadable(loadPeople);
  const shares = useReloadable(listShares);
  const sharesById = useMemo(() => new Map((shares.data ?? []).map((s) => [s.id, s])), [shares.data]);

  useEffect(() => {
    const ctrl = new AbortController();
    const key = `${query}#${before ?? ''}`;
    listAuditEvents(filtersFromSearch(query), { before }, ctrl.signal)
      .then((page) => {
        setResult({ key, page, at: Date.now() });
        setLoadError(null);
      })
      .catch((err: unknown) => {
        if (!ctrl.signal.aborted) setLoadError({ key, message: describeError(err) });
      });
    return () => ctrl.abort();
  }, [query, before, reloadKey]);

  const refresh = () => {
    setReloadKey((k) => k + 1);
    people.reload();
    shares.reload();
  };

  const setFilters = (next: AuditFilters) => {
    const q = filtersToParams(next).toString();
    navigate(q ? `/audit?${q}` : '/audit', { replace: true });
  };

  const shownError = loadError?.key === requestKey ? loadError.message : null;
  const page = result?.key === requestKey ? result.page : null;
  const events = page?.events ?? null;
  const nextBefore = page?.nextBefore ?? null;
  const loadedAt = result?.key === requestKey ? result.at : 0;

  return (
    <Box sx={{ p: { xs: 2, md: 3 } }}>
      <PageHeader title="Audit" subtitle={subtitleOf(filters)} onReload={refresh} />

      <Tabs
        value={filters.view}
        onChange={(_, view: AuditView) => setFilters({ ...filters, view })}
        aria-label="Audit view"
        sx={{ mb: 2, borderBottom: 1, borderColor: 'divider' }}
      >
        {VIEWS.map(({ view, label }) => (
          <Tab key={view} value={view} label={label} data-testid={`audit-view-${view}`} />
        ))}
      </Tabs>

      <AuditFiltersBar
        filters={filters}
        onChange={setFilters}
        people={people.data}
        shares={shares.data}
        admin={admin}
      />

      <PageAlert actionError={null} onDismiss={refresh} loadError={shownError} onRetry={refresh} />

      <Stack direction="row" sx={{ gap: 1, flexWrap: 'wrap', alignItems: 'center', mb: 1.5 }}>
        <Button
          size="small"
          startIcon={<FirstPageIcon />}
          disabled={before === null}
          onClick={() => setCursor({ query, before: null, pageNo: 1 })}
          data-testid="audit-newest"
        >
          Newest
        </Button>
        <Button
          size="small"
          endIcon={<NavigateNextIcon />}
          disabled={nextBefore === null}
          onClick={() => nextBefore !== null && setCursor({ query, before: nextBefore, pageNo: here.pageNo + 1 })}
          data-testid="audit-older"
        >
          Older
        </Button>
        <Typography variant="body2" color="text.secondary" data-testid="audit-page-number">
          Page {here.pageNo}
        </Typography>
        <Box sx={{ flex: 1 }} />
        {EXPORTS.map(({ format, label }) => (
          <Button
            key={format}
            size="small"
            variant="outlined"
            startIcon={<DownloadIcon />}
            href={auditExportUrl(filters, format)}
            download
            data-testid={`audit-export-${format}`}
          >
            {label}
          </Button>
        ))}
      </Stack>

      {events === null && !shownError && <Loading label="Loading the audit trail" />}
      {events !== null && events.length === 0 && (
        <EmptyState testId="audit-empty">
          {hasFilters(filters) || before !== null
            ? 'No events match these filters.'
            : filters.view === 'client-activity'
              ? 'No client activity yet. When a client accepts an invitation or opens one of your shares, it shows here.'
              : 'Nothing has been recorded yet.'}
        </EmptyState>
      )}
      {events !== null && events.length > 0 && filters.view === 'client-activity' && (
        <ActivityTable
          events={events}
          shares={sharesById}
          now={loadedAt}
          onTimeline={(sessionId) => setTimeline(sessionId)}
        />
      )}
      {events !== null && events.length > 0 && filters.view === 'all' && (
        <AuditTable events={events} onTimeline={(sessionId) => setTimeline(sessionId)} />
      )}

      {admin && <AuditVerifyPanel />}

      <AuditTimelineDialog sessionId={timeline} scope={filters.scope} onClose={() => setTimeline(null)} />
    </Box>
  );
}
