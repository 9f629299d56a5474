/** The uploads of this visit, in every folder: progress, and for a failed one why, with Retry or Replace. */
import { useSyncExternalStore } from 'react';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import IconButton from '@mui/material/IconButton';
import LinearProgress from '@mui/material/LinearProgress';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import CloseIcon from '@mui/icons-material/Close';
import { displayPath, formatBytes } from '../shared/format.ts';
import { ellipsis } from '../shared/styles.ts';
import { uploads, type UploadItem } from './uploadQueue.ts';

/** `currentFolder`: uploads into another folder say where they go. */
export function UploadList({ currentFolder }: { currentFolder: string }) {
  const items = useSyncExternalStore(uploads.subscribe, uploads.getSnapshot);
  if (items.length === 0) return null;
  const finished = items.filter((i) => i.state === 'done' || i.state === 'failed').length;
  const running = items.length - finished;
  return (
    <Paper variant="outlined" sx={{ mb: 2, p: 1.5 }} data-testid="upload-list">
      <Stack direction="row" sx={{ alignItems: 'center', mb: 1, gap: 1 }}>
        <Typography variant="subtitle2" sx={{ flex: 1 }}>
          {running > 0 ? `Uploading ${running} of ${items.length}` : `Uploads (${items.length})`}
        </Typography>
        {finished > 0 && (
          <Button size="small" onClick={() => uploads.clearFinished()} data-testid="uploads-clear">
            Clear finished
          </Button>
        )}
      </Stack>
      <Stack sx={{ gap: 1 }}>
        {items.map((item) => (
          <UploadRow key={item.id} item={item} currentFolder={currentFolder} />
        ))}
      </Stack>
    </Paper>
  );
}

function UploadRow({ item, currentFolder }: { item: UploadItem; currentFolder: string }) {
  const pct = item.total > 0 ? Math.min(100, (item.loaded / item.total) * 100) : item.state === 'done' ? 100 : 0;
  const color = item.state === 'failed' ? 'error' : item.state === 'done' ? 'success' : 'primary';
  return (
    <Box data-testid="upload-row" data-name={item.name} data-state={item.state}>
      <Stack direction="row" sx={{ alignItems: 'center', gap: 1 }}>
        <Typography variant="body2" sx={{ ...ellipsis, flex: 1 }} title={item.name}>
          {item.name}
          {item.folder !== currentFolder && (
            <Typography component="span" variant="caption" color="text.secondary">
              {' '}
              → {displayPath(item.folder)}
            </Typography>
          )}
        </Typography>
        <Typography variant="caption" color="text.secondary" sx={{ whiteSpace: 'nowrap' }}>
          {item.state === 'queued' && 'Waiting'}
          {item.state === 'uploading' && `${formatBytes(item.loaded)} of ${formatBytes(item.total)}`}
          {item.state === 'done' && `Done · ${formatBytes(item.size)}`}
          {item.state === 'failed' && 'Failed'}
        </Typography>
        {item.state === 'failed' && item.code === 'exists' && item.retryable && (
          <Button size="small" onClick={() => uploads.retry(item.id, { overwrite: true })} data-testid="upload-replace">
            Replace
          </Button>
        )}
        {item.state === 'failed' && item.code !== 'exists' && item.retryable && (
          <Button size="small" onClick={() => uploads.retry(item.id)} data-testid="upload-retry">
            Retry
          </Button>
        )}
        <Tooltip title={item.state === 'queued' || item.state === 'uploading' ? 'Cancel' : 'Dismiss'}>
          <IconButton
            size="small"
            aria-label={item.state === 'queued' || item.state === 'uploading' ? 'Cancel upload' : 'Dismiss'}
            onClick={() => uploads.cancel(item.id)}
            data-testid="upload-cancel"
          >
            <CloseIcon fontSize="small" />
          </IconButton>
        </Tooltip>
      </Stack>
      <LinearProgress
        variant={item.state === 'queued' ? 'indeterminate' : 'determinate'}
        value={pct}
        color={color}
        aria-label={`Upload of ${item.name}`}
        sx={{ height: 4, borderRadius: 2, mt: 0.5, opacity: item.state === 'queued' ? 0.4 : 1 }}
      />
      {item.state === 'failed' && item.error && (
        <Typography variant="caption" color="error" data-testid="upload-error" sx={{ display: 'block', mt: 0.5 }}>
          {item.error}
        </Typography>
      )}
    </Box>
  );
}
