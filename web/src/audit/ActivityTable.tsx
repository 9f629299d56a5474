/**
 * The Audit page's default view: what clients did with the owner's shares, one sentence a row.
 * When (relative, the exact time on hover), who, what happened to which file, in which share; a
 * refused attempt stands out; a session's rows open its timeline. No action codes here.
 */
import Box from '@mui/material/Box';
import Chip from '@mui/material/Chip';
import Paper from '@mui/material/Paper';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableContainer from '@mui/material/TableContainer';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import type { Share, ShareStatus } from '@vitrine/protocol';
import { formatDateTime, formatRelative } from '../shared/format.ts';
import type { AuditEvent } from './auditApi.ts';
import { ActorText, EventRow, TimelineCell, wideColumn } from './AuditEventParts.tsx';
import { describeActivity } from './activityText.ts';

const SHARE_STATUS: Record<ShareStatus, string> = {
  pending: 'Invitation not accepted yet',
  active: 'Active',
  expired: 'Expired',
  revoked: 'Revoked',
};

/** The share an event was about, by its label; a share no longer listed by a short note. */
function ShareText({ shareId, shares }: { shareId: string | null; shares: ReadonlyMap<string, Share> }) {
  if (!shareId)
    return (
      <Typography variant="body2" color="text.secondary">
        —
      </Typography>
    );
  const share = shares.get(shareId);
  if (!share) {
    return (
      <Typography variant="body2" color="text.secondary" title={shareId}>
        A share no longer listed
      </Typography>
    );
  }
  return (
    <Box sx={{ minWidth: 0 }}>
      <Typography variant="body2" sx={{ overflowWrap: 'anywhere' }} data-testid="activity-share">
        {share.label || 'Untitled share'}
      </Typography>
      {share.status !== 'active' && (
        <Typography variant="caption" color="text.secondary" component="div">
          {SHARE_STATUS[share.status]}
        </Typography>
      )}
    </Box>
  );
}

export interface ActivityTableProps {
  events: AuditEvent[];
  /** The owner's shares, by id, to name the share of each event. */
  shares: ReadonlyMap<string, Share>;
  onTimeline: (sessionId: string) => void;
  /** For "x minutes ago" (milliseconds since the epoch). */
  now: number;
}

export function ActivityTable({ events, shares, onTimeline, now }: ActivityTableProps) {
  return (
    <TableContainer component={Paper} variant="outlined">
      <Table size="small" aria-label="Client activity">
        <TableHead>
          <TableRow>
            <TableCell sx={{ width: 150 }}>When</TableCell>
            <TableCell sx={{ width: '20%' }}>Who</TableCell>
            <TableCell>What happened</TableCell>
            <TableCell sx={{ ...wideColumn, width: '18%' }}>Share</TableCell>
            <TableCell sx={{ width: 120 }}>Session</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {events.map((e) => {
            const a = describeActivity(e);
            const exact = formatDateTime(e.at, undefined, { seconds: true });
            const folderPath = a.path && a.path.includes('/') ? a.path : null;
            return (
              <EventRow key={e.seq} event={e} testId="activity-row">
                <TableCell sx={{ whiteSpace: 'nowrap' }}>
                  <Typography
                    variant="body2"
                    component="time"
                    dateTime={e.at}
                    title={exact}
                    data-testid="activity-when"
                  >
                    {formatRelative(e.at, now)}
                  </Typography>
                  <Typography variant="caption" color="text.secondary" component="div">
                    {formatDateTime(e.at)}
                  </Typography>
                </TableCell>
                <TableCell sx={{ maxWidth: 260 }}>
                  <ActorText actor={e.actor} />
                </TableCell>
                <TableCell>
                  <Box sx={{ display: 'flex', gap: 1, alignItems: 'flex-start', flexWrap: 'wrap' }}>
                    <Typography
                      variant="body2"
                      sx={{ overflowWrap: 'anywhere', fontWeight: e.outcome === 'ok' ? undefined : 600 }}
                      title={a.claim ? 'As the app in the session reported it' : undefined}
                      data-testid="activity-what"
                    >
                      {a.what}
                    </Typography>
                    {e.outcome !== 'ok' && (
                      <Chip
                        size="small"
                        label={e.outcome === 'denied' ? 'Refused' : 'Failed'}
                        color={e.outcome === 'denied' ? 'warning' : 'error'}
                        data-testid="activity-refused"
                      />
                    )}
                  </Box>
                  {(folderPath || a.more) && (
                    <Typography
                      variant="caption"
                      color="text.secondary"
                      component="div"
                      sx={{ overflowWrap: 'anywhere' }}
                      data-testid="activity-more"
                    >
                      {[folderPath, a.more].filter(Boolean).join(' · ')}
                    </Typography>
                  )}
                </TableCell>
                <TableCell sx={wideColumn}>
                  <ShareText shareId={e.shareId} shares={shares} />
                </TableCell>
                <TimelineCell event={e} onTimeline={onTimeline} />
              </EventRow>
            );
          })}
        </TableBody>
      </Table>
    </TableContainer>
  );
}
