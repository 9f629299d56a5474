/**
 * One session's audit events in the order they happened: who launched it, when the viewer
 * connected, what the app reported (which files were opened, which pages viewed), how it ended.
 */
import { useEffect, useState } from 'react';
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import SmartDisplayIcon from '@mui/icons-material/SmartDisplay';
import { listRecordings } from '../recordings/recordingsApi.ts';
import { navigate } from '../router.ts';
import { describeError, formatDateTime } from '../shared/format.ts';
import { Loading } from '../shared/PageParts.tsx';
import { sessionTimeline, TIMELINE_LIMIT, type AuditEvent, type AuditScope } from './auditApi.ts';
import { ActionText, OutcomeChip } from './AuditEventParts.tsx';
import { actorName, describeTarget, eventDetails, formatOffset } from './auditText.ts';

export interface AuditTimelineProps {
  /** The session to show; null keeps the dialog closed. */
  sessionId: string | null;
  scope: AuditScope;
  onClose: () => void;
}

export function AuditTimelineDialog({ sessionId, scope, onClose }: AuditTimelineProps) {
  return (
    <Dialog open={sessionId !== null} onClose={onClose} fullWidth maxWidth="md" data-testid="audit-timeline">
      <DialogTitle>Session timeline</DialogTitle>
      {/* Keyed: another session starts from a clean slate. */}
      {sessionId && <TimelineBody key={sessionId} sessionId={sessionId} scope={scope} />}
      <DialogActions>
        <Button onClick={onClose} data-testid="audit-timeline-close">
          Close
        </Button>
      </DialogActions>
    </Dialog>
  );
}

function TimelineBody({ sessionId, scope }: { sessionId: string; scope: AuditScope }) {
  const [events, setEvents] = useState<AuditEvent[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const ctrl = new AbortController();
    sessionTimeline(scope, sessionId, ctrl.signal)
      .then((page) => setEvents(page.events))
      .catch((err: unknown) => {
        if (!ctrl.signal.aborted) setError(describeError(err));
      });
    return () => ctrl.abort();
  }, [sessionId, scope]);

  const start = events?.[0]?.at;
  const people = [...new Set((events ?? []).filter((e) => e.actor.id).map((e) => actorName(e.actor).name))];

  return (
    <DialogContent>
      <Stack direction="row" sx={{ mb: 2, gap: 2, alignItems: 'center', justifyContent: 'space-between' }}>
        <Typography variant="body2" color="text.secondary">
          Session <code>{sessionId}</code>
          {start && ` · started ${formatDateTime(start, undefined, { seconds: true })}`}
          {people.length > 0 && ` · ${people.join(', ')}`}
        </Typography>
        <PlayRecordingButton sessionId={sessionId} />
      </Stack>
      {error && (
        <Alert severity="error" data-testid="error-message">
          {error}
        </Alert>
      )}
      {!events && !error && <Loading label="Loading the session timeline" compact />}
      {events && events.length === 0 && (
        <Typography color="text.secondary" data-testid="audit-timeline-empty">
          Nothing you can see was recorded for this session.
        </Typography>
      )}
      {events && events.length > 0 && (
        <Table size="small" aria-label="Session timeline">
          <TableHead>
            <TableRow>
              <TableCell sx={{ width: 72 }}>When</TableCell>
              <TableCell>What</TableCell>
              <TableCell sx={{ display: { xs: 'none', sm: 'table-cell' } }}>About</TableCell>
              <TableCell sx={{ width: 110 }}>Outcome</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {events.map((e) => (
              <TableRow key={e.seq} data-testid="audit-timeline-row" data-action={e.action} data-seq={e.seq}>
                <TableCell
                  sx={{ whiteSpace: 'nowrap', color: 'text.secondary' }}
                  title={formatDateTime(e.at, undefined, { seconds: true })}
                >
                  {start ? formatOffset(e.at, start) : ''}
                </TableCell>
                <TableCell>
                  <ActionText event={e} />
                </TableCell>
                <TableCell sx={{ display: { xs: 'none', sm: 'table-cell' }, overflowWrap: 'anywhere' }}>
                  <Typography variant="body2">{e.action === 'app.claim' ? '' : describeTarget(e.target)}</Typography>
                  <Typography variant="caption" color="text.secondary" component="div">
                    {eventDetails(e)}
                  </Typography>
                </TableCell>
                <TableCell>
                  <OutcomeChip event={e} />
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      {events && events.length >= TIMELINE_LIMIT && (
        <Typography variant="body2" color="text.secondary" sx={{ mt: 1 }}>
          Only the first {TIMELINE_LIMIT} events are shown; export the trail for the rest.
        </Typography>
      )}
    </DialogContent>
  );
}

/**
 * "Play recording" when this session was recorded and the recording is mine. Anything else
 * (not recorded, another owner's, a refusal) shows no button: there is nothing for me to play.
 */
function PlayRecordingButton({ sessionId }: { sessionId: string }) {
  const [recordingId, setRecordingId] = useState<string | null>(null);
  useEffect(() => {
    const ctrl = new AbortController();
    listRecordings({ sessionId }, ctrl.signal)
      .then((list) => setRecordingId(list.recordings[0]?.id ?? null))
      .catch(() => setRecordingId(null));
    return () => ctrl.abort();
  }, [sessionId]);
  if (!recordingId) return null;
  return (
    <Button
      variant="outlined"
      size="small"
      startIcon={<SmartDisplayIcon />}
      onClick={() => navigate(`/recordings/${recordingId}`)}
      sx={{ flexShrink: 0 }}
      data-testid="audit-timeline-play"
    >
      Play recording
    </Button>
  );
}
