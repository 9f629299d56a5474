/** How one audit event shows on the Audit page and in a session timeline: who, what, the outcome. */
import Box from '@mui/material/Box';
import Chip from '@mui/material/Chip';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import type { AuditEvent, AuditOutcome } from './auditApi.ts';
import { actorName, eventLabel } from './auditText.ts';

const OUTCOME_LABEL: Record<AuditOutcome, string> = { ok: 'OK', denied: 'Denied', failed: 'Failed' };
const OUTCOME_COLOR: Record<AuditOutcome, 'success' | 'warning' | 'error'> = {
  ok: 'success',
  denied: 'warning',
  failed: 'error',
};

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
