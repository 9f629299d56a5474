/**
 * A share's reading report: per client and document, what was on screen and for how long, with a
 * bar per page and the stretches of videos that played. From the app's claims: said so on the page.
 */
import { useCallback } from 'react';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import ArrowBackIcon from '@mui/icons-material/ArrowBack';
import DownloadIcon from '@mui/icons-material/Download';
import InsightsIcon from '@mui/icons-material/Insights';
import type { ReadingClient, ReadingDocument } from '@vitrine/protocol';
import { formatDateTime, formatDuration } from '../shared/format.ts';
import { EmptyState, Loading, PageAlert, PageHeader } from '../shared/PageParts.tsx';
import { useReloadable } from '../shared/useReloadable.ts';
import { navigate } from '../router.ts';
import { getReadingReport, readingCsvUrl } from './readingApi.ts';
import { clientName, documentSummary, pageBars, rangesText } from './readingText.ts';

export function ReadingPage({ shareId }: { shareId: string }) {
  const load = useCallback((signal: AbortSignal) => getReadingReport(shareId, signal), [shareId]);
  const { data: report, loadError, reload } = useReloadable(load);

  return (
    <Box sx={{ p: { xs: 2, md: 3 } }} data-testid="reading-page">
      <Button size="small" startIcon={<ArrowBackIcon />} onClick={() => navigate('/shares')} sx={{ mb: 1 }}>
        Shares
      </Button>
      <PageHeader
        title={report?.label ? `What was read: ${report.label}` : 'What was read'}
        subtitle="Documents, pages and time on screen in this share."
        onReload={reload}
      >
        <Button
          variant="outlined"
          startIcon={<DownloadIcon />}
          href={readingCsvUrl(shareId)}
          download
          data-testid="reading-export"
        >
          Export CSV
        </Button>
      </PageHeader>
      <Alert severity="info" sx={{ mb: 2 }} data-testid="reading-claims-note">
        These figures are what the app reported the client did (claims). They are a reading aid, not proof, and Vitrine
        never uses them to allow or refuse anything.
        {report
          ? ` Time counts only while the client's tab was visible and they had used the session within the last ${formatDuration(report.idleAfterSeconds * 1000)}.`
          : null}
      </Alert>
      <PageAlert actionError={null} onDismiss={reload} loadError={loadError} onRetry={reload} />
      {!report && !loadError && <Loading label="Reading the trail…" />}
      {report && report.truncated && (
        <Alert severity="warning" sx={{ mb: 2 }}>
          This share has a long history: only its most recent events are counted here.
        </Alert>
      )}
      {report && report.clients.length === 0 && (
        <EmptyState testId="reading-empty" icon={InsightsIcon}>
          Nothing viewed yet. Once the client opens a file of this share, it shows here.
        </EmptyState>
      )}
      {report?.clients.map((c) => (
        <ClientReading key={c.person.id} client={c} />
      ))}
    </Box>
  );
}

function ClientReading({ client }: { client: ReadingClient }) {
  return (
    <Box sx={{ mb: 3 }} data-testid="reading-client" data-person={client.person.id}>
      <Typography variant="h6" component="h2">
        {clientName(client)}
      </Typography>
      <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
        {client.sessions} {client.sessions === 1 ? 'session' : 'sessions'} · {formatDuration(client.seconds * 1000)} on
        screen in all
      </Typography>
      <Box component="ul" sx={{ pl: 2.5, mt: 0, mb: 1.5 }}>
        {client.documents.map((d) => (
          <Typography component="li" variant="body2" key={d.path} data-testid="reading-summary" data-path={d.path}>
            {documentSummary(client, d)}
          </Typography>
        ))}
      </Box>
      <Stack sx={{ gap: 1.5 }}>
        {client.documents.map((d) => (
          <DocumentCard key={d.path} doc={d} />
        ))}
      </Stack>
    </Box>
  );
}

function DocumentCard({ doc }: { doc: ReadingDocument }) {
  const bars = pageBars(doc);
  const facts = [
    `${formatDuration(doc.seconds * 1000)} on screen`,
    `opened ${doc.opens} ${doc.opens === 1 ? 'time' : 'times'}`,
    doc.zoom !== null ? `mostly at ${doc.zoom} %` : null,
    `last ${formatDateTime(doc.lastViewedAt)}`,
  ].filter(Boolean);
  return (
    <Card variant="outlined" data-testid="reading-document" data-path={doc.path}>
      <CardContent>
        <Typography variant="subtitle1" sx={{ fontWeight: 600, overflowWrap: 'anywhere' }}>
          {doc.path}
        </Typography>
        <Typography variant="body2" color="text.secondary">
          {facts.join(' · ')}
        </Typography>
        {doc.mediaRanges.length > 0 && (
          <Typography variant="body2" sx={{ mt: 1 }} data-testid="reading-media">
            Played: {rangesText(doc.mediaRanges)}
          </Typography>
        )}
        {bars.length > 0 && <PageChart bars={bars} />}
      </CardContent>
    </Card>
  );
}

/** Time per page as vertical bars, page numbers under them; each bar names its page and time. */
function PageChart({ bars }: { bars: ReturnType<typeof pageBars> }) {
  const labelEvery = bars.length > 40 ? 10 : bars.length > 15 ? 5 : 1;
  // Few bars: each says its time above it; many: the tooltip does.
  const valued = bars.length <= 24;
  return (
    <Box
      role="img"
      aria-label={`Time per page: ${bars.map((b) => `page ${b.page} ${formatDuration(b.seconds * 1000)}`).join(', ')}`}
      sx={{ mt: 1.5, overflowX: 'auto' }}
    >
      <Stack direction="row" sx={{ alignItems: 'flex-end', gap: '3px', height: 112, minWidth: bars.length * 10 }}>
        {bars.map((b) => (
          <Stack
            key={b.page}
            sx={{ flex: '1 1 0', minWidth: 7, maxWidth: 48, height: '100%', justifyContent: 'flex-end' }}
          >
            {valued && b.seconds > 0 && (
              <Typography variant="caption" sx={{ textAlign: 'center', fontSize: 11, lineHeight: 1.4 }}>
                {formatDuration(b.seconds * 1000)}
              </Typography>
            )}
            <Box
              title={`Page ${b.page}: ${formatDuration(b.seconds * 1000)}`}
              data-testid="reading-page-bar"
              data-page={b.page}
              data-seconds={b.seconds}
              sx={{
                height: `${Math.max(b.seconds > 0 ? 4 : 1, b.share * 80)}%`,
                bgcolor: b.seconds > 0 ? 'primary.main' : 'divider',
                borderRadius: '2px 2px 0 0',
              }}
            />
          </Stack>
        ))}
      </Stack>
      <Stack direction="row" sx={{ gap: '3px', minWidth: bars.length * 10 }}>
        {bars.map((b) => (
          <Typography
            key={b.page}
            variant="caption"
            color="text.secondary"
            sx={{ flex: '1 1 0', minWidth: 7, maxWidth: 48, textAlign: 'center', fontSize: 11 }}
          >
            {b.page === 1 || b.page % labelEvery === 0 ? b.page : ''}
          </Typography>
        ))}
      </Stack>
    </Box>
  );
}
