/** Home screen: the catalogue of apps (launch one) and the sessions currently running. */
import { useCallback, useEffect, useMemo, useState } from 'react';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardActions from '@mui/material/CardActions';
import CardContent from '@mui/material/CardContent';
import Chip from '@mui/material/Chip';
import CircularProgress from '@mui/material/CircularProgress';
import Container from '@mui/material/Container';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import PlayArrowIcon from '@mui/icons-material/PlayArrow';
import { navigate, sessionPath } from '../router.ts';
import { ApiError, errorMessage } from '../shared/api.ts';
import { formatTime } from '../shared/format.ts';
import { Loading, PageHeader } from '../shared/PageParts.tsx';
import { createSession, deleteSession, getStatus, listApps, listSessions } from '../shared/sessionsApi.ts';
import type { AppInfo, ServerStatus, SessionInfo } from '../shared/sessionsApi.ts';
import { parseCodecChoice } from '../viewer/codecPreferences.ts';

const SESSION_POLL_MS = 5000;

interface LoadError {
  unreachable: boolean;
  message: string;
}

function toLoadError(err: unknown): LoadError {
  return { unreachable: err instanceof ApiError && err.unreachable, message: errorMessage(err) };
}

export function AppsPage() {
  const [apps, setApps] = useState<AppInfo[] | null>(null);
  const [sessions, setSessions] = useState<SessionInfo[] | null>(null);
  const [loadError, setLoadError] = useState<LoadError | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [launching, setLaunching] = useState<string | null>(null);
  const [ending, setEnding] = useState<ReadonlySet<string>>(new Set());
  const [reloadKey, setReloadKey] = useState(0);
  const [status, setStatus] = useState<ServerStatus | null>(null);
  // Carry a `?codec=` given on the home page over to the viewer.
  const codec = useMemo(() => parseCodecChoice(new URLSearchParams(window.location.search).get('codec')), []);

  useEffect(() => {
    const ctrl = new AbortController();
    Promise.all([listApps(ctrl.signal), listSessions(ctrl.signal), getStatus(ctrl.signal)])
      .then(([a, s, st]) => {
        setApps(a);
        setSessions(s);
        setStatus(st);
        setLoadError(null);
      })
      .catch((err: unknown) => {
        if (!ctrl.signal.aborted) setLoadError(toLoadError(err));
      });
    return () => ctrl.abort();
  }, [reloadKey]);

  const refreshSessions = useCallback(async (signal?: AbortSignal) => {
    try {
      setSessions(await listSessions(signal));
      setLoadError((e) => (e?.unreachable ? null : e));
    } catch (err) {
      if (!signal?.aborted) setLoadError(toLoadError(err));
    }
  }, []);

  useEffect(() => {
    const ctrl = new AbortController();
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') void refreshSessions(ctrl.signal);
    }, SESSION_POLL_MS);
    return () => {
      clearInterval(timer);
      ctrl.abort();
    };
  }, [refreshSessions]);

  const appsById = useMemo(() => new Map((apps ?? []).map((a) => [a.id, a])), [apps]);

  const launch = async (app: AppInfo) => {
    setLaunching(app.id);
    setActionError(null);
    try {
      const session = await createSession(app.id);
      navigate(sessionPath(session.id, codec));
    } catch (err) {
      setActionError(`Could not launch ${app.name}: ${errorMessage(err)}`);
      setLaunching(null);
    }
  };

  const endSession = async (id: string) => {
    setEnding((s) => new Set(s).add(id));
    setActionError(null);
    try {
      await deleteSession(id);
    } catch (err) {
      setActionError(`Could not end the session: ${errorMessage(err)}`);
    } finally {
      setEnding((s) => {
        const next = new Set(s);
        next.delete(id);
        return next;
      });
      await refreshSessions();
    }
  };

  const liveSessions = (sessions ?? []).filter((s) => s.state !== 'ended');

  return (
    <Container maxWidth="lg" sx={{ py: 4 }}>
      <PageHeader
        large
        title="Apps"
        subtitle="Run an app on your own storage and use it from your browser."
        onReload={() => setReloadKey((k) => k + 1)}
      />

      {status?.sandbox.degraded && (
        <Alert severity="warning" data-testid="sandbox-degraded" sx={{ mb: 3 }}>
          <AlertTitle>Sandbox running in degraded mode</AlertTitle>
          {status.sandbox.landlock !== 'enforced' && 'Landlock is not available on this host. '}
          {status.sandbox.cgroups === 0 && 'Resource limits (cgroups) are not available on this host. '}
          The operator allowed sessions anyway (SANDBOX_ALLOW_DEGRADED); apps are less confined than they should be.
        </Alert>
      )}
      {loadError && (
        <Alert
          severity="error"
          data-testid="apps-error"
          sx={{ mb: 3 }}
          action={
            <Button color="inherit" size="small" onClick={() => setReloadKey((k) => k + 1)}>
              Retry
            </Button>
          }
        >
          <AlertTitle>{loadError.unreachable ? 'Server unreachable' : 'Could not load'}</AlertTitle>
          {loadError.message}
        </Alert>
      )}
      {actionError && (
        <Alert severity="error" data-testid="action-error" sx={{ mb: 3 }} onClose={() => setActionError(null)}>
          {actionError}
        </Alert>
      )}

      <Typography variant="h6" component="h2" sx={{ mb: 1.5 }}>
        Apps
      </Typography>
      {apps === null && !loadError && <Loading label="Loading apps" />}
      {apps !== null && apps.length === 0 && <Typography color="text.secondary">No apps are configured.</Typography>}
      {apps !== null && apps.length > 0 && (
        <Box
          sx={{
            display: 'grid',
            gap: 2,
            gridTemplateColumns: 'repeat(auto-fill, minmax(260px, 1fr))',
          }}
        >
          {apps.map((app) => (
            <Card key={app.id} data-testid={`app-card-${app.id}`} sx={{ display: 'flex', flexDirection: 'column' }}>
              <CardContent sx={{ flex: 1 }}>
                <Stack direction="row" sx={{ alignItems: 'baseline', gap: 1, mb: 1 }}>
                  <Typography variant="h6" component="h3" sx={{ flex: 1 }}>
                    {app.name}
                  </Typography>
                  {app.version && (
                    <Typography variant="caption" color="text.secondary">
                      v{app.version}
                    </Typography>
                  )}
                </Stack>
                <Typography variant="body2" color="text.secondary" sx={{ mb: 1.5 }}>
                  {app.description}
                </Typography>
                <Chip
                  size="small"
                  variant="outlined"
                  label={`${app.video.width}×${app.video.height} · ${app.video.framerate} fps`}
                  data-testid={`app-resolution-${app.id}`}
                />
              </CardContent>
              <CardActions sx={{ px: 2, pb: 2 }}>
                <Button
                  variant="contained"
                  startIcon={launching === app.id ? <CircularProgress size={16} color="inherit" /> : <PlayArrowIcon />}
                  disabled={launching !== null}
                  onClick={() => void launch(app)}
                  data-testid={`launch-${app.id}`}
                >
                  {launching === app.id ? 'Launching…' : 'Launch'}
                </Button>
              </CardActions>
            </Card>
          ))}
        </Box>
      )}

      <Typography variant="h6" component="h2" sx={{ mt: 5, mb: 1.5 }}>
        Live sessions
      </Typography>
      {sessions !== null && liveSessions.length === 0 && (
        <Typography color="text.secondary" data-testid="no-sessions">
          No sessions are running.
        </Typography>
      )}
      {liveSessions.length > 0 && (
        <Stack sx={{ gap: 1 }} data-testid="session-list">
          {liveSessions.map((s) => {
            const app = appsById.get(s.appId);
            return (
              <Paper
                key={s.id}
                variant="outlined"
                data-testid={`session-${s.id}`}
                sx={{ px: 2, py: 1.5, display: 'flex', alignItems: 'center', gap: 2, flexWrap: 'wrap' }}
              >
                <Box sx={{ flex: 1, minWidth: 200 }}>
                  <Typography sx={{ fontWeight: 600 }}>{app?.name ?? s.appId}</Typography>
                  <Typography variant="caption" color="text.secondary">
                    {s.display.width}×{s.display.height} · started {formatTime(s.createdAt)} ·{' '}
                    <Box component="span" sx={{ fontFamily: 'monospace' }}>
                      {s.id.slice(0, 8)}
                    </Box>
                  </Typography>
                </Box>
                <Chip size="small" label={s.state} color={s.state === 'streaming' ? 'success' : 'default'} />
                <Button
                  variant="outlined"
                  size="small"
                  onClick={() => navigate(sessionPath(s.id, codec))}
                  data-testid={`open-session-${s.id}`}
                >
                  Open
                </Button>
                <Button
                  variant="outlined"
                  color="error"
                  size="small"
                  disabled={ending.has(s.id)}
                  onClick={() => void endSession(s.id)}
                  data-testid={`end-live-session-${s.id}`}
                >
                  End
                </Button>
              </Paper>
            );
          })}
        </Stack>
      )}
    </Container>
  );
}
