/** The Audit page's list of events: when, who, what, on what, with what outcome, from where. */
import Paper from '@mui/material/Paper';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableContainer from '@mui/material/TableContainer';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import { formatDateTime } from '../shared/format.ts';
import type { AuditEvent } from './auditApi.ts';
import { ActionText, ActorText, EventRow, OutcomeChip, TimelineCell, wideColumn } from './AuditEventParts.tsx';
import { auditPath, claimPath, describeTarget } from './auditText.ts';

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
            <TableCell sx={wideColumn}>Target</TableCell>
            <TableCell sx={{ width: 130 }}>Outcome</TableCell>
            <TableCell sx={{ ...wideColumn, width: 130 }}>IP</TableCell>
            <TableCell sx={{ width: 110 }}>Session</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {events.map((e) => (
            <EventRow key={e.seq} event={e} testId="audit-row">
              <TableCell sx={{ whiteSpace: 'nowrap', color: 'text.secondary' }} title={e.at}>
                {formatDateTime(e.at, undefined, { seconds: true })}
              </TableCell>
              <TableCell sx={{ maxWidth: 220 }}>
                <ActorText actor={e.actor} />
              </TableCell>
              <TableCell sx={{ maxWidth: 320 }}>
                <ActionText event={e} />
              </TableCell>
              <TableCell sx={{ ...wideColumn, maxWidth: 260, overflowWrap: 'anywhere' }}>
                <Typography variant="body2">
                  {e.action === 'app.claim' ? auditPath(claimPath(e) ?? '') : describeTarget(e.target)}
                </Typography>
              </TableCell>
              <TableCell>
                <OutcomeChip event={e} />
              </TableCell>
              <TableCell
                sx={{ ...wideColumn, whiteSpace: 'nowrap', color: 'text.secondary' }}
                title={e.userAgent ?? ''}
              >
                {e.ip ?? '—'}
              </TableCell>
              <TimelineCell event={e} onTimeline={onTimeline} />
            </EventRow>
          ))}
        </TableBody>
      </Table>
    </TableContainer>
  );
}
