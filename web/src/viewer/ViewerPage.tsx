/** The viewer: toolbar (app name, codec, connection, full screen, end) above the streamed display. */
import { useCallback, useEffect, useRef, useState } from 'react';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import AppBar from '@mui/material/AppBar';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import CircularProgress from '@mui/material/CircularProgress';
import IconButton from '@mui/material/IconButton';
import Toolbar from '@mui/material/Toolbar';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import ArrowBackIcon from '@mui/icons-material/ArrowBack';
import FullscreenIcon from '@mui/icons-material/Fullscreen';
import FullscreenExitIcon from '@mui/icons-material/FullscreenExit';
import StopCircleIcon from '@mui/icons-material/StopCircle';
import { ConnectionIndicator } from '../components/ConnectionIndicator.tsx';
import { VideoViewer } from '../components/VideoViewer.tsx';
import { useStreamSession } from '../hooks/useStreamSession.ts';
import { errorMessage, getSession, listApps } from '../services/api.ts';
import { codecLabel, parseCodecChoice } from '../services/codecPreferences.ts';
import { TERMINAL_STATES, type SessionEnd } from '../services/webrtcSession.ts';
import { useSession } from '../services/session.tsx';
import { navigate } from '../router.ts';

export interface ViewerPageProps {
  sessionId: string;
  search: string;
}

const PROGRESS_TEXT: Partial<Record<string, string>> = {
  idle: 'Starting…',
  signaling: 'Connecting to the server…',
  negotiating: 'Waiting for the stream…',
  connecting: 'Establishing the media connection…',
  reconnecting: 'Connection interrupted, reconnecting…',
};

/**
 * Ends after which "End session" makes no sense: nothing is left to delete on the server, or the
 * session belongs to another open viewer (which can be ended from the apps page deliberately).
 */
const NO_END_BUTTON: ReadonlySet<SessionEnd['kind']> = new Set([
  'user',
  'server-bye',
  'unknown-session',
  'already-viewed',
]);

/** Titles for server ends that are about the share or the sign-in rather than the app. */
const REASON_TITLE: Partial<Record<string, string>> = {
  'share revoked': 'Share revoked',
  'share expired': 'Share expired',
  'share changed': 'Share changed',
  'time limit': 'Time limit reached',
  'signed out': 'Signed out',
};

function endTitle(end: SessionEnd): string {
  switch (end.kind) {
    case 'server-bye':
      return (end.reason && REASON_TITLE[end.reason]) || 'Session ended';
    case 'user':
      return 'Session ended';
    case 'ice-failed':
      return 'Connection failed';
    case 'unknown-session':
      return 'Unknown session';
    case 'already-viewed':
      return 'Session already open';
    case 'unreachable':
      return 'Server unreachable';
    default:
      return 'Connection problem';
  }
}

function endSeverity(end: SessionEnd): 'info' | 'warning' | 'error' {
  if (end.kind === 'server-bye' && end.reason && REASON_TITLE[end.reason]) return 'warning';
  if (end.kind === 'user' || end.kind === 'server-bye') return 'info';
  if (end.kind === 'already-viewed') return 'warning';
  return 'error';
}

export function ViewerPage({ sessionId, search }: ViewerPageProps) {
  const codec = parseCodecChoice(new URLSearchParams(search).get('codec'));
  const { me } = useSession();
  // Owners launch apps from Apps; clients open sessions from "Shared with me".
  const back =
    me?.role === 'client'
      ? { path: '/shared', label: 'Back to shared with me' }
      : { path: '/apps', label: 'Back to apps' };
  const [video, setVideo] = useState<HTMLVideoElement | null>(null);
  const { state, stats, end, warning, dismissWarning, sendInput, endSession } = useStreamSession(
    sessionId,
    codec,
    video,
  );
  const [appName, setAppName] = useState<string | null>(null);
  const [ending, setEnding] = useState(false);
  const [endError, setEndError] = useState<string | null>(null);
  const [fullscreen, setFullscreen] = useState(false);
  const rootRef = useRef<HTMLDivElement | null>(null);
  const terminal = TERMINAL_STATES.has(state);

  // App name for the toolbar (best effort; the stream does not depend on it).
  useEffect(() => {
    const ctrl = new AbortController();
    Promise.all([getSession(sessionId, ctrl.signal), listApps(ctrl.signal)])
      .then(([session, apps]) => setAppName(apps.find((a) => a.id === session.appId)?.name ?? session.appId))
      .catch(() => {
        // Errors surface through the signaling connection.
      });
    return () => ctrl.abort();
  }, [sessionId]);

  useEffect(() => {
    document.title = appName ? `${appName} · Vitrine` : 'Vitrine';
    return () => {
      document.title = 'Vitrine';
    };
  }, [appName]);

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

  useEffect(() => {
    if (terminal && document.fullscreenElement) void document.exitFullscreen().catch(() => undefined);
  }, [terminal]);

  const codecInUse = codecLabel(stats?.codec);
  const progress = !terminal && state !== 'streaming' ? PROGRESS_TEXT[state] : undefined;

  return (
    <Box ref={rootRef} sx={{ height: '100dvh', display: 'flex', flexDirection: 'column', bgcolor: '#000' }}>
      <AppBar position="static" color="default" elevation={0} sx={{ borderBottom: 1, borderColor: 'divider' }}>
        <Toolbar variant="dense" sx={{ gap: 1.5 }}>
          <Tooltip title={`${back.label} (the session keeps running)`}>
            <IconButton edge="start" aria-label={back.label} onClick={() => navigate(back.path)} size="small">
              <ArrowBackIcon fontSize="small" />
            </IconButton>
          </Tooltip>
          <Typography variant="subtitle1" component="h1" noWrap sx={{ fontWeight: 600 }} data-testid="app-name">
            {appName ?? 'Session'}
          </Typography>
          <ConnectionIndicator state={state} stats={stats} requestedCodec={codec} />
          <Tooltip title={codec ? `Requested: ${codec.toUpperCase()}` : 'Chosen by the browser'}>
            <Chip
              size="small"
              variant="outlined"
              label={codecInUse ?? (codec ? codec.toUpperCase() : 'codec: –')}
              data-testid="codec-in-use"
            />
          </Tooltip>
          <Box sx={{ flex: 1 }} />
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
          <Button
            variant="contained"
            color="error"
            size="small"
            startIcon={ending ? <CircularProgress size={14} color="inherit" /> : <StopCircleIcon />}
            disabled={ending || (end !== null && NO_END_BUTTON.has(end.kind))}
            onClick={() => void onEnd()}
            data-testid="end-session"
          >
            End session
          </Button>
        </Toolbar>
      </AppBar>

      <Box sx={{ position: 'relative', flex: 1, minHeight: 0 }}>
        <VideoViewer
          video={video}
          videoRef={setVideo}
          sendInput={sendInput}
          active={!terminal}
          focusWhen={state === 'streaming'}
        />

        {progress && (
          <Box
            sx={{
              position: 'absolute',
              inset: 0,
              display: 'flex',
              flexDirection: 'column',
              alignItems: 'center',
              justifyContent: 'center',
              gap: 2,
              pointerEvents: 'none',
              color: 'text.secondary',
            }}
          >
            <CircularProgress />
            <Typography>{progress}</Typography>
          </Box>
        )}

        {(end || warning || endError) && (
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
              '& > *': { pointerEvents: 'auto', width: 'min(560px, 100%)' },
            }}
          >
            {end && (
              <Alert
                severity={endSeverity(end)}
                variant="filled"
                data-testid="viewer-message"
                data-kind={end.kind}
                action={
                  <Button color="inherit" size="small" onClick={() => navigate(back.path)} data-testid="back-to-apps">
                    {back.label}
                  </Button>
                }
              >
                <AlertTitle>{endTitle(end)}</AlertTitle>
                {end.message}
                {end.detail ? ` ${end.detail}` : ''}
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
          </Box>
        )}
      </Box>
    </Box>
  );
}
