/**
 * The owner's recordings of recorded shares' sessions: when, whose, how long, how big, in what
 * state; play or remove each; and how much of the recording space they take.
 * `/recordings/<id>` is the player.
 */
import { useState } from 'react';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import LinearProgress from '@mui/material/LinearProgress';
import Paper from '@mui/material/Paper';
import Snackbar from '@mui/material/Snackbar';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableContainer from '@mui/material/TableContainer';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import DeleteOutlinedIcon from '@mui/icons-material/DeleteOutlined';
import PlayArrowIcon from '@mui/icons-material/PlayArrow';
import VideoLibraryIcon from '@mui/icons-material/VideoLibrary';
import { ActionDialog } from '../shared/ActionDialog.tsx';
import { formatBytes, formatDateTime, usagePercent } from '../shared/format.ts';
import { EmptyState, Loading, PageAlert, PageHeader } from '../shared/PageParts.tsx';
import { useReloadable } from '../shared/useReloadable.ts';
import { useLocation } from '../router.ts';
import { followLink } from '../shared/AppShell.tsx';
import { RecordingPlayer } from './RecordingPlayer.tsx';
import { RecordingStateChip } from './RecordingStateChip.tsx';
import { clientLabel, recordingLength } from './recordingText.ts';
import { listRecordings, removeRecording, type RecordingList, type RecordingSummary } from './recordingsApi.ts';

export function RecordingsPage() {
  const { pathname } = useLocation();
  const player = /^\/recordings\/([0-9a-f-]{36})\/?$/.exec(pathname);
  if (player) return <RecordingPlayer key={player[1]} id={player[1]!} />;
  return <RecordingTable />;
}

const loadAll = (signal: AbortSignal) => listRecordings({}, signal);

function RecordingTable() {
  const { data, setData, loadError, reload } = useReloadable(loadAll);
  const [removing, setRemoving] = useState<RecordingSummary | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const recordings = data?.recordings ?? null;

  return (
    <Box sx={{ p: { xs: 2, md: 3 } }} data-testid="recordings-page">
      <PageHeader
        title="Recordings"
        subtitle="Sessions of your recorded shares, as the client saw them. Only you can play them."
        onReload={reload}
      >
        {data && <SpaceBar usage={data.usage} />}
      </PageHeader>
      <PageAlert actionError={null} onDismiss={reload} loadError={loadError} onRetry={reload} />
      {recordings === null && !loadError && <Loading label="Loading recordings" />}
      {recordings?.length === 0 && (
        <EmptyState testId="recordings-empty" icon={VideoLibraryIcon}>
          No recordings yet. Sessions of a share with “Record sessions” turned on show here.
        </EmptyState>
      )}
      {recordings && recordings.length > 0 && (
        <TableContainer component={Paper} variant="outlined">
          <Table aria-label="Recordings">
            <TableHead>
              <TableRow>
                <TableCell>Started</TableCell>
                <TableCell>Client</TableCell>
                <TableCell sx={{ display: { xs: 'none', md: 'table-cell' } }}>Share</TableCell>
                <TableCell>Length</TableCell>
                <TableCell sx={{ display: { xs: 'none', sm: 'table-cell' } }}>Size</TableCell>
                <TableCell>State</TableCell>
                <TableCell align="right">Actions</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {recordings.map((r) => (
                <RecordingRow key={r.id} recording={r} onRemove={() => setRemoving(r)} />
              ))}
            </TableBody>
          </Table>
        </TableContainer>
      )}
      <ActionDialog
        open={removing !== null}
        title="Remove this recording?"
        confirmLabel="Remove"
        danger
        onClose={() => setRemoving(null)}
        onConfirm={async () => {
          if (!removing) return;
          await removeRecording(removing.id);
          setData((d) => (d ? withoutRecording(d, removing) : d));
          setNotice('Recording removed.');
        }}
      >
        <Typography>
          The recording of {removing ? clientLabel(removing) : ''}’s session of{' '}
          {removing ? formatDateTime(removing.startedAt) : ''} is deleted for good. The audit trail keeps a note of what
          it held, not the pictures.
        </Typography>
      </ActionDialog>
      <Snackbar open={notice !== null} autoHideDuration={4000} onClose={() => setNotice(null)} message={notice ?? ''} />
    </Box>
  );
}

function withoutRecording(list: RecordingList, gone: RecordingSummary): RecordingList {
  return {
    recordings: list.recordings.filter((r) => r.id !== gone.id),
    usage: { ...list.usage, usedBytes: Math.max(0, list.usage.usedBytes - gone.bytes) },
  };
}

function RecordingRow({ recording: r, onRemove }: { recording: RecordingSummary; onRemove: () => void }) {
  const live = r.state === 'recording';
  return (
    <TableRow hover data-testid="recording-row" data-recording-id={r.id} data-session-id={r.sessionId}>
      <TableCell sx={{ whiteSpace: 'nowrap' }}>{formatDateTime(r.startedAt, undefined, { seconds: true })}</TableCell>
      <TableCell>
        <Typography variant="body2">{clientLabel(r)}</Typography>
        {r.client && (
          <Typography variant="caption" color="text.secondary">
            {r.client.email}
          </Typography>
        )}
      </TableCell>
      <TableCell sx={{ display: { xs: 'none', md: 'table-cell' } }}>{r.shareLabel ?? '—'}</TableCell>
      <TableCell sx={{ whiteSpace: 'nowrap' }} data-testid="recording-length">
        {recordingLength(r)}
      </TableCell>
      <TableCell sx={{ display: { xs: 'none', sm: 'table-cell' }, whiteSpace: 'nowrap' }}>
        {formatBytes(r.bytes)}
      </TableCell>
      <TableCell>
        <RecordingStateChip state={r.state} />
      </TableCell>
      <TableCell align="right" sx={{ whiteSpace: 'nowrap' }}>
        <Button
          size="small"
          startIcon={<PlayArrowIcon />}
          href={`/recordings/${r.id}`}
          onClick={(e) => followLink(e, `/recordings/${r.id}`)}
          data-testid="recording-play"
        >
          Play
        </Button>
        <Tooltip title={live ? 'It can be removed once the session has ended.' : ''}>
          <span>
            <Button
              size="small"
              color="error"
              startIcon={<DeleteOutlinedIcon />}
              disabled={live}
              onClick={onRemove}
              data-testid="recording-remove"
            >
              Remove
            </Button>
          </span>
        </Tooltip>
      </TableCell>
    </TableRow>
  );
}

/** The owner's recording space: used of budget, as a bar. */
function SpaceBar({ usage }: { usage: RecordingList['usage'] }) {
  const pct = usagePercent(usage.usedBytes, usage.budgetBytes);
  return (
    <Box data-testid="recordings-usage" sx={{ minWidth: 220, display: { xs: 'none', sm: 'block' } }}>
      <Typography variant="body2" color="text.secondary" sx={{ mb: 0.5 }}>
        {`${formatBytes(usage.usedBytes)} of ${formatBytes(usage.budgetBytes)} recording space used`}
      </Typography>
      <LinearProgress
        variant="determinate"
        value={pct}
        color={pct >= 90 ? 'error' : pct >= 75 ? 'warning' : 'primary'}
        aria-label="Recording space used"
        sx={{ height: 6, borderRadius: 3 }}
      />
    </Box>
  );
}
