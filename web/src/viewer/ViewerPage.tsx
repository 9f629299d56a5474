/**
 * The viewer: a calm header (what is open, a connection notice only when something is wrong,
 * connection details behind an info button, full screen, End) above the streamed display, with a
 * cover saying what is happening until the app's own picture shows.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import AppBar from '@mui/material/AppBar';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import CircularProgress from '@mui/material/CircularProgress';
import IconButton from '@mui/material/IconButton';
import Toolbar from '@mui/material/Toolbar';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import ArrowBackIcon from '@mui/icons-material/ArrowBack';
import FullscreenIcon from '@mui/icons-material/Fullscreen';
import FullscreenExitIcon from '@mui/icons-material/FullscreenExit';
import StopCircleIcon from '@mui/icons-material/StopCircle';
import type { InputEvent, SessionEndReason, SessionInfo } from '@vitrine/protocol';
import { navigate, sessionPath } from '../router.ts';
import { errorMessage } from '../shared/api.ts';
import { createSession, getSession, listApps } from '../shared/sessionsApi.ts';
import { listSharedWithMe } from '../shares/sharesApi.ts';
import { useSignIn } from '../signin/SignInProvider.tsx';
import { parseCodecChoice } from './codecPreferences.ts';
import { ConnectionDetails, ConnectionNotice } from './ConnectionIndicator.tsx';
import { ParticipantsBar } from './ParticipantsBar.tsx';
import { participantsView } from './participants.ts';
import { SoundButton } from './SoundButton.tsx';
import { useAppShown } from './useAppShown.ts';
import { useStreamSession } from './useStreamSession.ts';
import { VideoViewer } from './VideoViewer.tsx';
import {
  canEndSession,
  endSeverity,
  endTitle,
  overlayText,
  reopenCause,
  TERMINAL_STATES,
  type SessionEnd,
} from './viewerState.ts';

export interface ViewerPageProps {
  sessionId: string;
  search: string;
}

/** Sessions this page opened again after a server restart (or a worker's loss): their page says why, once. */
const reopenedAfter = new Map<string, SessionEndReason>();

/** Ends after which opening the same app again is what the person may want (not a share taken away). */
function offersOpenAgain(end: SessionEnd): boolean {
  if (end.kind === 'unknown-session') return true;
  if (end.kind !== 'server-bye') return false;
  return !['share revoked', 'share expired', 'signed out', 'account deleted'].includes(end.reason ?? '');
}

export function ViewerPage({ sessionId, search }: ViewerPageProps) {
  const query = new URLSearchParams(search);
  const codec = parseCodecChoice(query.get('codec'));
  // The share's owner watching a client's session (from Shares): view-only until they take control.
  const watch = query.get('watch') === '1';
  const { me } = useSignIn();
  // Owners launch apps from Apps (or watch from Shares); clients open sessions from "Shared with me".
  const back = watch
    ? { path: '/shares', label: 'Back to shares' }
    : me?.role === 'client'
      ? { path: '/shared', label: 'Back to Shared with me' }
      : { path: '/apps', label: 'Back to apps' };
  const [video, setVideo] = useState<HTMLVideoElement | null>(null);
  const [notice, setNotice] = useState<string | null>(() => {
    const reason = reopenedAfter.get(sessionId);
    reopenedAfter.delete(sessionId);
    return reason ? `${reopenCause(reason)}, so this was opened again.` : null;
  });
  const onReopened = useCallback(
    (session: SessionInfo, reason: SessionEndReason) => {
      reopenedAfter.set(session.id, reason);
      navigate(sessionPath(session.id, codec), { replace: true });
    },
    [codec],
  );
  const {
    state,
    stats,
    end,
    recovery,
    appReady,
    warning,
    quality,
    dismissWarning,
    sendInput,
    endSession,
    setViewport,
    takeOver,
    retry,
    participants,
    control,
  } = useStreamSession(sessionId, codec, video, onReopened, watch);
  const people = participantsView(participants);
  // Input goes to the app only from whoever holds the controls (the server drops the rest too).
  const input = useCallback(
    (e: InputEvent) => (people.inControl ? sendInput(e) : undefined),
    [people.inControl, sendInput],
  );
  const [session, setSession] = useState<SessionInfo | null>(null);
  const [appName, setAppName] = useState<string | null>(null);
  const [shareLabel, setShareLabel] = useState<string | null>(null);
  const [ending, setEnding] = useState(false);
  const [reopening, setReopening] = useState(false);
  const [endError, setEndError] = useState<string | null>(null);
  const [fullscreen, setFullscreen] = useState(false);
  const rootRef = useRef<HTMLDivElement | null>(null);
  const terminal = TERMINAL_STATES.has(state) || end !== null;
  const appShown = useAppShown(state === 'streaming', appReady, video);

  // What is open, for the header (best effort; the stream does not depend on it).
  useEffect(() => {
    const ctrl = new AbortController();
    getSession(sessionId, ctrl.signal)
      .then(async (info) => {
        setSession(info);
        const apps = await listApps(ctrl.signal);
        setAppName(apps.find((a) => a.id === info.appId)?.name ?? info.appId);
        if (info.shareId && me?.role === 'client') {
          const shares = await listSharedWithMe(ctrl.signal);
          const label = shares.find((s) => s.id === info.shareId)?.label;
          if (label) setShareLabel(label);
        }
      })
      .catch(() => {
        // Errors surface through the signaling connection.
      });
    return () => ctrl.abort();
  }, [sessionId, me?.role]);

  const title = shareLabel && appName ? `${shareLabel} — ${appName}` : (shareLabel ?? appName);
  useEffect(() => {
    document.title = title ? `${title} · Vitrine` : 'Vitrine';
    return () => {
      document.title = 'Vitrine';
    };
  }, [title]);

  useEffect(() => {
    if (!notice) return;
    const t = setTimeout(() => setNotice(null), 15_000);
    return () => clearTimeout(t);
  }, [notice]);

  useEffect(() => {
    const onChange = () => setFullscreen(document.fullscreenElement !== null);
    document.addEventListener('fullscreenchange', onChange);
    return () => document.removeEventListener('fullscreenchange', onChange);
  }, []);

  const toggleFullscreen = useCallback(async () => {
    try {
      if (document.fullscreenElement) await document.exitFullscreen();
      else await rootRef.current?.requestFullscreen({ navigationUI: 'hide' });
    } catch {
      // Refused (e.g. not allowed in this context): nothing to do.
    }
  }, []);

  const onEnd = useCallback(async () => {
    setEnding(true);
    setEndError(null);
    try {
      await endSession();
    } catch (err) {
      setEndError(`The server did not confirm the end of the session: ${errorMessage(err)}`);
    } finally {
      setEnding(false);
    }
  }, [endSession]);

  /** The same app on the same share, in a new session. */
  const openAgain = useCallback(async () => {
    if (!session) return;
    setReopening(true);
    setEndError(null);
    try {
      // A recorded share: the client was told (and is shown "Recording"); the new session is recorded too.
      const next = await createSession(session.appId, session.shareId ?? undefined, {
        acknowledgeRecording: participants?.recorded ?? false,
      });
      navigate(sessionPath(next.id, codec), { replace: true });
    } catch (err) {
      setEndError(`Could not open it again: ${errorMessage(err)}`);
      setReopening(false);
    }
  }, [session, codec, participants]);

  useEffect(() => {
    if (terminal && document.fullscreenElement) void document.exitFullscreen().catch(() => undefined);
  }, [terminal]);

  const overlay = overlayText(state, { recovery, appShown, appName, ended: end !== null });

  const endActions = (e: SessionEnd) => (
    <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap', alignItems: 'center' }}>
      {(e.kind === 'already-viewed' || e.kind === 'taken-over') && (
        <Button color="inherit" variant="outlined" size="small" onClick={takeOver} data-testid="use-here">
          Use here
        </Button>
      )}
      {(e.kind === 'unreachable' || e.kind === 'signaling-lost' || e.kind === 'signaling-failed') && (
        <Button color="inherit" variant="outlined" size="small" onClick={retry} data-testid="viewer-retry">
          Try again
        </Button>
      )}
      {offersOpenAgain(e) && session && !watch && (
        <Button
          color="inherit"
          variant="outlined"
          size="small"
          onClick={() => void openAgain()}
          disabled={reopening}
          data-testid="open-again"
        >
          Open again
        </Button>
      )}
      <Button color="inherit" size="small" onClick={() => navigate(back.path)} data-testid="back-to-apps">
        {back.label}
      </Button>
    </Box>
  );

  return (
    <Box
      ref={rootRef}
      sx={{ height: '100dvh', display: 'flex', flexDirection: 'column', bgcolor: '#000', userSelect: 'none' }}
    >
      <AppBar position="static" color="default" elevation={0} sx={{ borderBottom: 1, borderColor: 'divider' }}>
        <Toolbar variant="dense" sx={{ gap: 1.5 }}>
          <Tooltip title={`${back.label} (the session keeps running)`}>
            <IconButton edge="start" aria-label={back.label} onClick={() => navigate(back.path)} size="small">
              <ArrowBackIcon fontSize="small" />
            </IconButton>
          </Tooltip>
          <Typography
            variant="subtitle1"
            component="h1"
            noWrap
            sx={{ fontWeight: 600, minWidth: 0 }}
            data-testid="app-name"
          >
            {title ?? 'Session'}
          </Typography>
          <ConnectionNotice quality={quality} />
          <ParticipantsBar view={people} onControl={control} />
          <Box sx={{ flex: 1 }} />
          <ConnectionDetails state={state} stats={stats} requestedCodec={codec} quality={quality} />
          <SoundButton />
          <Tooltip title={fullscreen ? 'Exit full screen' : 'Full screen'}>
            <IconButton
              aria-label={fullscreen ? 'Exit full screen' : 'Full screen'}
              onClick={() => void toggleFullscreen()}
              size="small"
              data-testid="fullscreen"
            >
              {fullscreen ? <FullscreenExitIcon /> : <FullscreenIcon />}
            </IconButton>
          </Tooltip>
          {watch ? (
            <Button variant="outlined" size="small" onClick={() => navigate(back.path)} data-testid="stop-watching">
              Stop watching
            </Button>
          ) : (
            <Button
              variant="contained"
              color="error"
              size="small"
              startIcon={ending ? <CircularProgress size={14} color="inherit" /> : <StopCircleIcon />}
              disabled={ending || !canEndSession(end)}
              onClick={() => void onEnd()}
              data-testid="end-session"
            >
              End
            </Button>
          )}
        </Toolbar>
      </AppBar>

      <Box sx={{ position: 'relative', flex: 1, minHeight: 0 }}>
        <VideoViewer
          video={video}
          videoRef={setVideo}
          sendInput={input}
          active={!terminal}
          focusWhen={state === 'streaming'}
          onViewport={setViewport}
        />

        {overlay && (
          <Box
            data-testid="viewer-progress"
            data-kind={overlay.kind}
            role="status"
            aria-live="polite"
            sx={{
              position: 'absolute',
              inset: 0,
              display: 'flex',
              flexDirection: 'column',
              alignItems: 'center',
              justifyContent: 'center',
              gap: 2,
              // A cover, never a barrier: clicks and keys go to the display beneath.
              pointerEvents: 'none',
              bgcolor: 'rgba(0, 0, 0, 0.88)',
              color: 'grey.300',
              textAlign: 'center',
              px: 2,
            }}
          >
            <CircularProgress color="inherit" />
            <Typography variant="h6" component="p" sx={{ fontWeight: 500 }}>
              {overlay.text}
            </Typography>
            {overlay.detail && <Typography variant="body2">{overlay.detail}</Typography>}
          </Box>
        )}

        {(end || warning || endError || notice) && (
          <Box
            sx={{
              position: 'absolute',
              left: 0,
              right: 0,
              top: 0,
              display: 'flex',
              flexDirection: 'column',
              alignItems: 'center',
              gap: 1,
              p: 2,
              pointerEvents: 'none',
              userSelect: 'text',
              '& > *': { pointerEvents: 'auto', width: 'min(560px, 100%)' },
            }}
          >
            {end && (
              <Alert severity={endSeverity(end)} variant="filled" data-testid="viewer-message" data-kind={end.kind}>
                <AlertTitle>{endTitle(end)}</AlertTitle>
                {end.message}
                {end.detail ? ` ${end.detail}` : ''}
                <Box sx={{ mt: 1.5 }}>{endActions(end)}</Box>
              </Alert>
            )}
            {endError && (
              <Alert severity="warning" onClose={() => setEndError(null)} data-testid="viewer-warning">
                {endError}
              </Alert>
            )}
            {warning && !end && (
              <Alert severity="warning" onClose={dismissWarning} data-testid="viewer-warning">
                {warning}
              </Alert>
            )}
            {notice && !end && (
              <Alert severity="info" onClose={() => setNotice(null)} data-testid="viewer-notice">
                {notice}
              </Alert>
            )}
          </Box>
        )}
      </Box>
    </Box>
  );
}
