/** Admins: checks the audit trail's hash chain and says whether it is intact or where it breaks. */
import { useState } from 'react';
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import CircularProgress from '@mui/material/CircularProgress';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import VerifiedUserIcon from '@mui/icons-material/VerifiedUser';
import { describeError, formatDateTime } from '../shared/format.ts';
import { verifyAuditChain, type AuditVerifyResult } from './auditApi.ts';

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

function VerifyResult({ result }: { result: AuditVerifyResult }) {
  const { checkpoint } = result;
  return (
    <Alert severity={result.ok ? 'success' : 'error'} data-testid="audit-verify-result" data-ok={String(result.ok)}>
      {result.ok ? (
        <>
          Intact: {plural(result.checked, 'event', 'events')} checked
          {result.lastSeq !== null && ` (events ${result.fromSeq}–${result.lastSeq})`}.
        </>
      ) : (
        <>
          {result.problemKind === 'recording'
            ? 'A RECORDING DOES NOT MATCH THE TRAIL'
            : `BROKEN at event ${result.brokenAt ?? '?'}`}
          : {result.problem ?? 'the chain does not match'} ({plural(result.checked, 'event', 'events')} checked).
        </>
      )}
      {result.recordings && result.recordings.checked > 0 && (
        <Typography variant="body2" sx={{ mt: 0.5 }} data-testid="audit-verify-recordings">
          Recordings compared with the trail: {plural(result.recordings.checked, 'recording', 'recordings')},{' '}
          {plural(result.recordings.segments, 'segment', 'segments')} matching their recorded hashes.
        </Typography>
      )}
      {checkpoint && (
        <Typography variant="body2" sx={{ mt: 0.5 }} data-testid="audit-verify-checkpoint">
          Checked from the retention checkpoint of {formatDateTime(checkpoint.at)}, which sealed events up to{' '}
          {checkpoint.throughSeq} ({plural(checkpoint.purged, 'older event', 'older events')} purged).
        </Typography>
      )}
    </Alert>
  );
}

export function AuditVerifyPanel() {
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<AuditVerifyResult | null>(null);
  const [error, setError] = useState<string | null>(null);

  const verify = async () => {
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      setResult(await verifyAuditChain());
    } catch (err) {
      setError(`Could not check the chain: ${describeError(err)}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Paper variant="outlined" sx={{ p: 2, mt: 3 }}>
      <Stack direction="row" sx={{ gap: 2, alignItems: 'center', flexWrap: 'wrap', mb: result || error ? 1.5 : 0 }}>
        <Stack sx={{ flex: 1, minWidth: 240 }}>
          <Typography variant="subtitle1" component="h2" sx={{ fontWeight: 600 }}>
            Integrity
          </Typography>
          <Typography variant="body2" color="text.secondary">
            Every event is chained to the one before it by a hash; editing or deleting one breaks the chain.
          </Typography>
        </Stack>
        <Button
          variant="outlined"
          startIcon={busy ? <CircularProgress size={16} color="inherit" /> : <VerifiedUserIcon />}
          disabled={busy}
          onClick={() => void verify()}
          data-testid="audit-verify"
        >
          Verify the chain
        </Button>
      </Stack>
      {error && (
        <Alert severity="error" data-testid="error-message">
          {error}
        </Alert>
      )}
      {result && <VerifyResult result={result} />}
    </Paper>
  );
}
