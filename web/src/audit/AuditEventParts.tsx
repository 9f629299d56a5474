/**
 * How one audit event shows on the Audit page (its two tables) and in a session timeline: its row,
 * who, what, the outcome, the way to its session's timeline.
 */
import type { ReactNode } from 'react';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import TableCell from '@mui/material/TableCell';
import TableRow from '@mui/material/TableRow';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import TimelineIcon from '@mui/icons-material/Timeline';
import type { AuditEvent, AuditOutcome } from './auditApi.ts';
import { actorName, eventLabel } from './auditText.ts';

const OUTCOME_LABEL: Record<AuditOutcome, string> = { ok: 'OK', denied: 'Denied', failed: 'Failed' };
const OUTCOME_COLOR: Record<AuditOutcome, 'success' | 'warning' | 'error'> = {
  ok: 'success',
  denied: 'warning',
  failed: 'error',
};

/** A table column shown on wide screens only. */
export const wideColumn = { display: { xs: 'none', md: 'table-cell' } } as const;

/** One event's table row, saying which event it is (action, outcome, sequence number) for tests. */
export function EventRow({ event, testId, children }: { event: AuditEvent; testId: string; children: ReactNode }) {
  return (
    <TableRow
      hover
      data-testid={testId}
      data-action={event.action}
      data-outcome={event.outcome}
      data-seq={event.seq}
      sx={{ verticalAlign: 'top' }}
    >
      {children}
    </TableRow>
  );
}

/** The last cell of an event's row: its session's timeline, when it belongs to a session. */
export function TimelineCell({ event, onTimeline }: { event: AuditEvent; onTimeline: (sessionId: string) => void }) {
  const { sessionId } = event;
  return (
    <TableCell sx={{ py: 0.5 }}>
      {sessionId && (
        <Button
          size="small"
          startIcon={<TimelineIcon />}
          onClick={() => onTimeline(sessionId)}
          data-testid="audit-timeline-open"
        >
          Timeline
        </Button>
      )}
    </TableCell>
  );
}

/** The person (name over e-mail), or "System" / "Anonymous". */
export function ActorText({ actor }: { actor: AuditEvent['actor'] }) {
  const { name, email } = actorName(actor);
  return (
    <Box sx={{ minWidth: 0 }}>
      <Typography variant="body2" noWrap title={name}>
        {name}
      </Typography>
      {email && (
        <Typography variant="caption" color="text.secondary" noWrap component="div" title={email}>
          {email}
        </Typography>
      )}
    </Box>
  );
}

/** The action in words; its raw name (what exports and filters use) on hover. */
export function ActionText({ event }: { event: AuditEvent }) {
  const label = eventLabel(event);
  return (
    <Box sx={{ minWidth: 0 }}>
      <Tooltip title={<span style={{ fontFamily: 'monospace' }}>{event.action}</span>} placement="bottom-start">
        <Typography variant="body2" sx={{ overflowWrap: 'anywhere' }} data-testid="audit-action-label">
          {label}
        </Typography>
      </Tooltip>
    </Box>
  );
}

/** The outcome chip; a refusal or failure also says why (the error message in a tooltip). */
export function OutcomeChip({ event }: { event: AuditEvent }) {
  const message = typeof event.detail.message === 'string' ? event.detail.message : '';
  return (
    <Box>
      <Tooltip title={message}>
        <Chip
          size="small"
          label={OUTCOME_LABEL[event.outcome]}
          color={OUTCOME_COLOR[event.outcome]}
          variant={event.outcome === 'ok' ? 'outlined' : 'filled'}
          data-testid="audit-outcome"
        />
      </Tooltip>
      {event.outcome !== 'ok' && event.reason && (
        <Typography
          variant="caption"
          color="text.secondary"
          component="div"
          sx={{ mt: 0.25, overflowWrap: 'anywhere' }}
          data-testid="audit-reason"
        >
          {event.reason}
        </Typography>
      )}
    </Box>
  );
}
