/**
 * A client's home: what owners shared with them, each opened in a streamed session of one of the
 * apps its owner chose: first the share's terms when the client has not accepted the version in
 * force, then, for a recorded share, the notice that it is recorded.
 */
import { useState } from 'react';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardActions from '@mui/material/CardActions';
import CardContent from '@mui/material/CardContent';
import CircularProgress from '@mui/material/CircularProgress';
import Typography from '@mui/material/Typography';
import FolderSharedIcon from '@mui/icons-material/FolderShared';
import PlayArrowIcon from '@mui/icons-material/PlayArrow';
import { navigate, sessionPath } from '../router.ts';
import { ApiError } from '../shared/api.ts';
import { describeAccess, describeError, formatDateTime, formatMinutes, formatRelative } from '../shared/format.ts';
import { EmptyState, Loading, PageAlert, PageHeader } from '../shared/PageParts.tsx';
import { createSession } from '../shared/sessionsApi.ts';
import { useReloadable } from '../shared/useReloadable.ts';
import type { ReceivedShare, SharedApp, SharePath } from './sharesApi.ts';
import { listSharedWithMe } from './sharesApi.ts';
import { RecordingNotice } from './RecordingNotice.tsx';
import { TermsDialog } from './TermsDialog.tsx';

/** The shares, the one that ends first on top. */
async function loadShares(signal: AbortSignal): Promise<ReceivedShare[]> {
  const list = await listSharedWithMe(signal);
  return [...list].sort((a, b) => Date.parse(a.expiresAt) - Date.parse(b.expiresAt));
}

function describePath(p: SharePath): string {
  const where = p.path === '' ? 'All of their files' : `/${p.path}`;
  return `${where} — you ${describeAccess(p.access)}`;
}

export function SharedWithMePage() {
  const { data: shares, setData: setShares, loadError, loadedAt: now, reload: refresh } = useReloadable(loadShares);
  const [actionError, setActionError] = useState<string | null>(null);
  const [opening, setOpening] = useState<string | null>(null);
  // What the client is asked before a session starts: the terms, then the recording notice.
  const [asking, setAsking] = useState<{ share: ReceivedShare; appId: string; step: 'terms' | 'recording' } | null>(
    null,
  );

  const launch = async (share: ReceivedShare, appId: string, acknowledgeRecording: boolean) => {
    setAsking(null);
    setOpening(share.id);
    setActionError(null);
    try {
      const session = await createSession(appId, share.id, { acknowledgeRecording });
      navigate(sessionPath(session.id));
    } catch (err) {
      setActionError(`Could not open ${share.label || 'the share'}: ${describeError(err)}`);
      setOpening(null);
      // The owner changed the terms, the recording or the apps since the list was loaded: show what holds now.
      const stale = ['terms-not-accepted', 'recording-not-acknowledged', 'app-not-shared'];
      if (err instanceof ApiError && stale.includes(err.code)) refresh();
    }
  };
  const open = (share: ReceivedShare, appId: string) => {
    setActionError(null);
    if (share.terms && !share.termsAccepted) setAsking({ share, appId, step: 'terms' });
    else if (share.recording) setAsking({ share, appId, step: 'recording' });
    else void launch(share, appId, false);
  };
  const termsAccepted = (share: ReceivedShare, appId: string) => {
    const accepted = { ...share, termsAccepted: true, termsAcceptedVersion: share.terms?.version ?? null };
    setShares((list) => list?.map((s) => (s.id === share.id ? accepted : s)) ?? null);
    if (share.recording) setAsking({ share: accepted, appId, step: 'recording' });
    else void launch(accepted, appId, false);
  };
  // The terms changed while the client read them: the new text, from the top.
  const termsStale = async (share: ReceivedShare, appId: string) => {
    try {
      const fresh = (await listSharedWithMe()).find((s) => s.id === share.id);
      setShares((list) => list?.map((s) => (s.id === share.id && fresh ? fresh : s)) ?? null);
      setAsking(fresh?.terms && !fresh.termsAccepted ? { share: fresh, appId, step: 'terms' } : null);
      if (fresh && !fresh.terms) open(fresh, appId);
    } catch (err) {
      setAsking(null);
      setActionError(describeError(err));
    }
  };

  return (
    <Box sx={{ p: { xs: 2, md: 3 } }}>
      <PageHeader
        title="Shared with me"
        subtitle="Open a share to work on its files in your browser."
        onReload={refresh}
      />

      <PageAlert
        actionError={actionError}
        onDismiss={() => setActionError(null)}
        loadError={loadError}
        onRetry={refresh}
      />

      {shares === null && !loadError && <Loading label="Loading shares" />}
      {shares !== null && shares.length === 0 && (
        <EmptyState testId="shared-empty" icon={FolderSharedIcon}>
          Nothing is shared with you right now. When someone shares files with you, they appear here.
        </EmptyState>
      )}
      {shares !== null && shares.length > 0 && (
        <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: 'repeat(auto-fill, minmax(300px, 1fr))' }}>
          {shares.map((share) => (
            <Card
              key={share.id}
              data-testid="received-share"
              data-share-id={share.id}
              sx={{ display: 'flex', flexDirection: 'column' }}
            >
              <CardContent sx={{ flex: 1 }}>
                <Typography variant="h6" component="h2" sx={{ mb: 0.5 }}>
                  {share.label || `Files from ${share.owner.displayName}`}
                </Typography>
                <Typography variant="body2" color="text.secondary" sx={{ mb: 1.5 }} data-testid="received-share-owner">
                  Shared by {share.owner.displayName} ({share.owner.email})
                </Typography>
                <Box component="ul" sx={{ m: 0, pl: 2.5, mb: 1.5 }}>
                  {share.paths.map((p) => (
                    <Typography
                      component="li"
                      variant="body2"
                      key={`${p.path}:${p.access}`}
                      data-testid="received-share-path"
                      sx={{ wordBreak: 'break-word' }}
                    >
                      {describePath(p)}
                    </Typography>
                  ))}
                </Box>
                <Typography variant="body2" color="text.secondary">
                  Available until {formatDateTime(share.expiresAt)} ({formatRelative(share.expiresAt, now)})
                </Typography>
                <Typography variant="body2" color="text.secondary">
                  {share.maxSessionMinutes
                    ? `Each session lasts up to ${formatMinutes(share.maxSessionMinutes)}.`
                    : 'Sessions have no time limit.'}
                  {share.watermark ? ' Your screen shows a watermark with your e-mail address.' : ''}
                </Typography>
                <ShareOversight share={share} />
              </CardContent>
              <OpenButtons share={share} opening={opening} onOpen={(appId) => open(share, appId)} />
            </Card>
          ))}
        </Box>
      )}

      <TermsDialog
        share={asking?.step === 'terms' ? asking.share : null}
        onAccepted={() => asking && termsAccepted(asking.share, asking.appId)}
        onStale={() => asking && void termsStale(asking.share, asking.appId)}
        onClose={() => setAsking(null)}
      />
      <RecordingNotice
        ownerName={asking?.step === 'recording' ? asking.share.owner.displayName : null}
        onContinue={() => asking && void launch(asking.share, asking.appId, true)}
        onCancel={() => setAsking(null)}
      />
    </Box>
  );
}

/**
 * How the client opens a share: one Open button when it opens in one app (the app named beside
 * it), a button per app when the owner chose several, none when none of them is installed now.
 */
function OpenButtons(props: { share: ReceivedShare; opening: string | null; onOpen: (appId: string) => void }) {
  const { share, opening, onOpen } = props;
  const busy = opening === share.id;
  const button = (app: SharedApp, label: string) => (
    <Button
      key={app.id}
      variant={share.apps.length === 1 ? 'contained' : 'outlined'}
      startIcon={busy ? <CircularProgress size={16} color="inherit" /> : <PlayArrowIcon />}
      disabled={opening !== null}
      onClick={() => onOpen(app.id)}
      data-testid="share-open"
      data-app-id={app.id}
    >
      {busy && share.apps.length === 1 ? 'Opening…' : label}
    </Button>
  );
  const [only] = share.apps;
  return (
    <CardActions sx={{ px: 2, pb: 2, gap: 1, flexWrap: 'wrap', alignItems: 'center' }} disableSpacing>
      {share.apps.length === 0 && (
        <Typography variant="body2" color="text.secondary" data-testid="share-no-app">
          None of the apps this share opens in is installed now; ask {share.owner.displayName}.
        </Typography>
      )}
      {share.apps.length === 1 && only && (
        <>
          {button(only, 'Open')}
          <Typography variant="body2" color="text.secondary" data-testid="share-app-name">
            in {only.name}
          </Typography>
        </>
      )}
      {share.apps.length > 1 && share.apps.map((app) => button(app, `Open in ${app.name}`))}
    </CardActions>
  );
}

/** What the owner oversees, said plainly on the card: recording, live watching, terms. */
function ShareOversight({ share }: { share: ReceivedShare }) {
  const lines = [
    share.recording ? 'Sessions are recorded.' : null,
    share.liveView ? 'The owner may watch live.' : null,
    share.terms
      ? share.termsAccepted
        ? 'You accepted the owner’s terms.'
        : share.termsAcceptedVersion !== null
          ? 'The owner’s terms changed: you accept them again before your next session.'
          : 'You accept the owner’s terms before your first session.'
      : null,
  ].filter((l): l is string => l !== null);
  if (lines.length === 0) return null;
  return (
    <Box sx={{ mt: 1 }} data-testid="received-share-oversight">
      {lines.map((l) => (
        <Typography key={l} variant="body2" sx={{ fontWeight: 500 }}>
          {l}
        </Typography>
      ))}
    </Box>
  );
}
