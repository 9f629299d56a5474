/**
 * "Live now": clients in a session of one of my shares that lets me watch, each with "Watch"
 * (the viewer, joined as a watcher: the client sees it at once). Refreshed every few seconds.
 */
import { useEffect, useState } from 'react';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Typography from '@mui/material/Typography';
import VisibilityIcon from '@mui/icons-material/Visibility';
import { navigate } from '../router.ts';
import { formatDateTime } from '../shared/format.ts';
import { listWatchable, type WatchableSession } from '../shared/sessionsApi.ts';

const REFRESH_MS = 5000;

export function LiveSessionsPanel({ labelOf }: { labelOf: (shareId: string | null) => string | undefined }) {
  const [live, setLive] = useState<WatchableSession[]>([]);
  useEffect(() => {
    const ctrl = new AbortController();
    const load = () =>
      listWatchable(ctrl.signal)
        .then(setLive)
        .catch(() => {
          // The list is a convenience: a failed refresh keeps the last one.
        });
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => {
      clearInterval(timer);
      ctrl.abort();
    };
  }, []);
  if (live.length === 0) return null;
  return (
    <Alert severity="info" icon={<VisibilityIcon />} sx={{ mb: 2 }} data-testid="live-sessions">
      <Typography variant="subtitle2" component="h2" sx={{ mb: 0.5 }}>
        Live now
      </Typography>
      {live.map((s) => (
        <Box
          key={s.id}
          sx={{ display: 'flex', alignItems: 'center', gap: 2, flexWrap: 'wrap' }}
          data-testid="live-session"
        >
          <Typography variant="body2">
            <strong>{s.client}</strong> in {labelOf(s.shareId) ?? 'a share'} since{' '}
            {formatDateTime(s.createdAt, undefined, { seconds: false })}
            {s.watchers > 0 ? ` · ${s.watchers} watching` : ''}
          </Typography>
          <Button
            size="small"
            variant="outlined"
            onClick={() => navigate(`/session/${encodeURIComponent(s.id)}?watch=1`)}
            data-testid="watch-session"
          >
            Watch
          </Button>
        </Box>
      ))}
    </Alert>
  );
}
