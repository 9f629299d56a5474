/** The Audit page's list of events: when, who, what, on what, with what outcome, from where. */
import Button from '@mui/material/Button';
import Paper from '@mui/material/Paper';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableContainer from '@mui/material/TableContainer';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import TimelineIcon from '@mui/icons-material/Timeline';
import { formatDateTime } from '../shared/format.ts';
import type { AuditEvent } from './auditApi.ts';
import { ActionText, ActorText, OutcomeChip } from './AuditEventParts.tsx';
import { auditPath, claimPath, describeTarget } from './auditText.ts';

const wide = { display: { xs: 'none', md: 'table-cell' } } as const;

/** One row per event; a session's events open its timeline. */
export function AuditTable({ events, onTimeline }: { events: AuditEvent[]; onTimeline: (sessionId: string) => void }) {
  return (
    <TableContainer component={Paper} variant="outlined">
      <Table size="small" aria-label="Audit events">
        <TableHead>
          <TableRow>
            <TableCell sx={{ width: 170 }}>Time</TableCell>
            <TableCell>Who</TableCell>
            <TableCell>Action</TableCell>
            <TableCell sx={wide}>Target</TableCell>
            <TableCell sx={{ width: 130 }}>Outcome</TableCell>
            <TableCell sx={{ ...wide, width: 130 }}>IP</TableCell>
            <TableCell sx={{ width: 110 }}>Session</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {events.map((e) => (
            <TableRow
              key={e.seq}
              hover
              data-testid="audit-row"
              data-action={e.action}
              data-outcome={e.outcome}
              data-seq={e.seq}
              sx={{ verticalAlign: 'top' }}
            >
              <TableCell sx={{ whiteSpace: 'nowrap', color: 'text.secondary' }} title={e.at}>
                {formatDateTime(e.at, undefined, { seconds: true })}
              </TableCell>
              <TableCell sx={{ maxWidth: 220 }}>
                <ActorText actor={e.actor} />
              </TableCell>
              <TableCell sx={{ maxWidth: 320 }}>
                <ActionText event={e} />
              </TableCell>
              <TableCell sx={{ ...wide, maxWidth: 260, overflowWrap: 'anywhere' }}>
                <Typography variant="body2">
                  {e.action === 'app.claim' ? auditPath(claimPath(e) ?? '') : describeTarget(e.target)}
                </Typography>
              </TableCell>
              <TableCell>
                <OutcomeChip event={e} />
              </TableCell>
              <TableCell sx={{ ...wide, whiteSpace: 'nowrap', color: 'text.secondary' }} title={e.userAgent ?? ''}>
                {e.ip ?? '—'}
              </TableCell>
              <TableCell sx={{ py: 0.5 }}>
                {e.sessionId && (
                  <Button
                    size="small"
                    startIcon={<TimelineIcon />}
                    onClick={() => e.sessionId && onTimeline(e.sessionId)}
                    data-testid="audit-timeline-open"
                  >
                    Timeline
                  </Button>
                )}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </TableContainer>
  );
}
