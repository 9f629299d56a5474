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
import { navigate } from '../router.ts';
import { errorMessage } from '../shared/api.ts';
import { getSession, listApps } from '../shared/sessionsApi.ts';
import { useSignIn } from '../signin/SignInProvider.tsx';
import { codecLabel, parseCodecChoice } from './codecPreferences.ts';
import { ConnectionIndicator } from './ConnectionIndicator.tsx';
import { useStreamSession } from './useStreamSession.ts';
import { VideoViewer } from './VideoViewer.tsx';
import { canEndSession, endSeverity, endTitle, progressText, TERMINAL_STATES } from './viewerState.ts';

export interface ViewerPageProps {
  sessionId: string;
  search: string;
}

export function ViewerPage({ sessionId, search }: ViewerPageProps) {
  const codec = parseCodecChoice(new URLSearchParams(search).get('codec'));
  const { me } = useSignIn();
  // Owners launch apps from Apps; clients open sessions from "Shared with me".
  const back =
    me?.role === 'client'
      ? { path: '/shared', label: 'Back to shared with me' }
      : { path: '/apps', label: 'Back to apps' };
  const [video, setVideo] = useState<HTMLVideoElement | null>(null);
  const { state, stats, end, warning, quality, dismissWarning, sendInput, endSession, setViewport } = useStreamSession(
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
  const progress = progressText(state);

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
          <ConnectionIndicator state={state} stats={stats} requestedCodec={codec} quality={quality} />
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
            disabled={ending || !canEndSession(end)}
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
          onViewport={setViewport}
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
