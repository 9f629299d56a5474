/**
 * The uploads of this visit, in every folder: overall and per-file progress, and for a failed one
 * why, with Retry, or for a name that is taken Replace (after confirming; the old version goes to
 * the trash) or Keep both (stored as "name (2).ext").
 */
import { useState, useSyncExternalStore } from 'react';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import IconButton from '@mui/material/IconButton';
import LinearProgress from '@mui/material/LinearProgress';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import CloseIcon from '@mui/icons-material/Close';
import { ActionDialog } from '../shared/ActionDialog.tsx';
import { displayPath, formatBytes } from '../shared/format.ts';
import { entryNameText } from './nameStyle.ts';
import { summarize, summaryText, uploads, type UploadItem } from './uploadQueue.ts';

const isConflict = (i: UploadItem) => i.state === 'failed' && i.code === 'exists' && i.retryable;

/** `currentFolder`: uploads into another folder say where they go. */
export function UploadList({ currentFolder }: { currentFolder: string }) {
  const items = useSyncExternalStore(uploads.subscribe, uploads.getSnapshot);
  /** The uploads whose Replace waits for the owner's confirmation. */
  const [confirming, setConfirming] = useState<readonly UploadItem[]>([]);
  if (items.length === 0 && confirming.length === 0) return null;
  const summary = summarize(items);
  const running = summary.uploading + summary.queued > 0;
  const conflicts = items.filter(isConflict);
  const pct = summary.bytes > 0 ? Math.min(100, (summary.loaded / summary.bytes) * 100) : running ? 0 : 100;

  return (
    <Paper variant="outlined" sx={{ mb: 2, p: 1.5, minWidth: 0 }} data-testid="upload-list">
      <Stack direction="row" sx={{ alignItems: 'center', gap: 1, flexWrap: 'wrap' }}>
        <Typography variant="subtitle2" sx={{ flex: 1, minWidth: 0 }} data-testid="upload-summary">
          {summaryText(summary)}
        </Typography>
        {summary.bytes > 0 && (
          <Typography variant="caption" color="text.secondary" sx={{ whiteSpace: 'nowrap' }}>
            {running ? `${formatBytes(summary.loaded)} of ${formatBytes(summary.bytes)}` : formatBytes(summary.bytes)}
          </Typography>
        )}
        {conflicts.length > 1 && (
          <>
            <Button size="small" onClick={() => setConfirming(conflicts)} data-testid="uploads-replace-all">
              Replace all…
            </Button>
            <Button
              size="small"
              onClick={() => conflicts.forEach((i) => uploads.retry(i.id, { conflict: 'keep-both' }))}
              data-testid="uploads-keep-both-all"
            >
              Keep all
            </Button>
          </>
        )}
        {!running && (
          <Button size="small" onClick={() => uploads.clearFinished()} data-testid="uploads-clear">
            Clear finished
          </Button>
        )}
      </Stack>
      <LinearProgress
        variant="determinate"
        value={pct}
        color={summary.failed > 0 && !running ? 'warning' : running ? 'primary' : 'success'}
        aria-label="All uploads"
        data-testid="upload-overall"
        sx={{ height: 6, borderRadius: 3, mt: 0.75, mb: 1.5 }}
      />
      {/* A long list scrolls on its own: the folder below stays in reach. */}
      <Stack sx={{ gap: 1, maxHeight: 264, overflowY: 'auto', pr: 0.5 }} data-testid="upload-rows">
        {items.map((item) => (
          <UploadRow key={item.id} item={item} currentFolder={currentFolder} onReplace={() => setConfirming([item])} />
        ))}
      </Stack>

      <ActionDialog
        open={confirming.length > 0}
        title={confirming.length === 1 ? `Replace “${confirming[0]!.name}”?` : `Replace ${confirming.length} files?`}
        confirmLabel="Replace"
        danger
        onClose={() => setConfirming([])}
        onConfirm={async () => {
          for (const i of confirming) uploads.retry(i.id, { conflict: 'replace' });
        }}
      >
        <Typography data-testid="replace-explanation">
          {confirming.length === 1 ? (
            <>
              A file called{' '}
              <Box component="span" sx={{ whiteSpace: 'pre-wrap' }}>
                “{confirming[0]!.name}”
              </Box>{' '}
              is already in {displayPath(confirming[0]!.folder)}. It will be replaced by the one you are uploading; the
              current version goes to the Trash, where you can restore it.
            </>
          ) : (
            <>
              These names are taken. Each file will be replaced by the one you are uploading; the current versions go to
              the Trash, where you can restore them.
            </>
          )}
        </Typography>
        <Typography variant="body2" color="text.secondary">
          To keep both instead, choose Keep both: the upload is saved under a new name such as “name (2)”.
        </Typography>
      </ActionDialog>
    </Paper>
  );
}

interface UploadRowProps {
  item: UploadItem;
  currentFolder: string;
  /** Replace was chosen for a name that is taken (the list asks first). */
  onReplace: () => void;
}

function UploadRow({ item, currentFolder, onReplace }: UploadRowProps) {
  const pct = item.total > 0 ? Math.min(100, (item.loaded / item.total) * 100) : item.state === 'done' ? 100 : 0;
  const color = item.state === 'failed' ? 'error' : item.state === 'done' ? 'success' : 'primary';
  const conflict = isConflict(item);
  return (
    <Box data-testid="upload-row" data-name={item.name} data-state={item.state} sx={{ minWidth: 0 }}>
      <Stack direction="row" sx={{ alignItems: 'center', gap: 1, minWidth: 0 }}>
        <Typography variant="body2" sx={{ ...entryNameText, flex: 1 }} title={item.name}>
          {item.name}
          {item.folder !== currentFolder && (
            <Typography component="span" variant="caption" color="text.secondary">
              {' '}
              → {displayPath(item.folder)}
            </Typography>
          )}
        </Typography>
        <Typography
          variant="caption"
          color="text.secondary"
          sx={{ ...entryNameText, flexShrink: 1, maxWidth: '50%' }}
          data-testid="upload-status"
        >
          {item.state === 'queued' && 'Waiting'}
          {item.state === 'uploading' && `${formatBytes(item.loaded)} of ${formatBytes(item.total)}`}
          {item.state === 'done' &&
            (item.savedAs
              ? `Saved as “${item.savedAs}” · ${formatBytes(item.size)}`
              : item.replaced
                ? `Replaced · old version in Trash · ${formatBytes(item.size)}`
                : `Done · ${formatBytes(item.size)}`)}
          {item.state === 'failed' && (conflict ? 'Name taken' : 'Failed')}
        </Typography>
        {conflict && (
          <>
            <Button size="small" onClick={onReplace} data-testid="upload-replace">
              Replace…
            </Button>
            <Button
              size="small"
              onClick={() => uploads.retry(item.id, { conflict: 'keep-both' })}
              data-testid="upload-keep-both"
            >
              Keep both
            </Button>
          </>
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
        <Typography
          variant="caption"
          color={conflict ? 'text.secondary' : 'error'}
          data-testid="upload-error"
          sx={{ display: 'block', mt: 0.5, overflowWrap: 'anywhere' }}
        >
          {conflict
            ? `A file called “${item.name}” is already in ${displayPath(item.folder)}. Replace it (the current version goes to the Trash) or keep both.`
            : item.error}
        </Typography>
      )}
    </Box>
  );
}
