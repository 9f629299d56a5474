/** The connection self-test: which path media takes to this server, how fast, and why not. */
import { useCallback, useEffect, useRef, useState } from 'react';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import CircularProgress from '@mui/material/CircularProgress';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import NetworkCheckIcon from '@mui/icons-material/NetworkCheck';
import { PROBE_MAX_KBPS } from '@vitrine/protocol';
import { causeText, describePath, explain } from './causeText.ts';
import { runSelfTest, SelfTestError, type SelfTestPhase, type SelfTestReport } from './selfTest.ts';

const PHASE_TEXT: Record<SelfTestPhase, string> = {
  signaling: 'Contacting the server…',
  connecting: 'Establishing the media connection…',
  measuring: 'Measuring round trip, throughput and loss…',
};

const ms = (v: number | null) => (v === null ? '–' : `${v < 10 ? v.toFixed(1) : Math.round(v)} ms`);

export function ConnectionTestPage() {
  const [phase, setPhase] = useState<SelfTestPhase | null>(null);
  const [report, setReport] = useState<SelfTestReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const running = useRef(false);

  const run = useCallback(async () => {
    if (running.current) return;
    running.current = true;
    setReport(null);
    setError(null);
    try {
      setReport(await runSelfTest({ onPhase: setPhase }));
    } catch (err) {
      setError(err instanceof SelfTestError ? err.message : `The test failed: ${String(err)}`);
    } finally {
      running.current = false;
      setPhase(null);
    }
  }, []);

  useEffect(() => {
    document.title = 'Connection test · Vitrine';
  }, []);

  const d = report?.diagnosis;
  const text = d ? causeText(d.cause) : null;
  return (
    <Box sx={{ p: { xs: 2, md: 3 }, maxWidth: 820, mx: 'auto' }}>
      <Stack direction="row" sx={{ alignItems: 'center', mb: 2, gap: 2 }}>
        <Box sx={{ flex: 1 }}>
          <Typography variant="h5" component="h1" sx={{ fontWeight: 700 }}>
            Connection test
          </Typography>
          <Typography variant="body2" color="text.secondary">
            Checks the path your screen would take from this Vitrine server: which route, round trip, throughput and
            loss. Nothing is streamed and no app is started.
          </Typography>
        </Box>
        <Button
          variant="contained"
          startIcon={phase ? <CircularProgress size={16} color="inherit" /> : <NetworkCheckIcon />}
          disabled={phase !== null}
          onClick={() => void run()}
          data-testid="run-connection-test"
        >
          {report || error ? 'Test again' : 'Run the test'}
        </Button>
      </Stack>

      {phase && (
        <Stack direction="row" sx={{ alignItems: 'center', gap: 1, mb: 2 }} data-testid="connection-test-phase">
          <CircularProgress size={18} />
          <Typography>{PHASE_TEXT[phase]}</Typography>
        </Stack>
      )}
      {error && (
        <Alert severity="error" data-testid="connection-test-error" sx={{ mb: 2 }}>
          {error}
        </Alert>
      )}
      {d && text && report && (
        <Stack sx={{ gap: 2 }} data-testid="connection-test-result" data-cause={d.cause}>
          <Alert severity={text.severity} data-testid="connection-test-diagnosis">
            <AlertTitle>{text.title}</AlertTitle>
            {explain(d)}
            {text.action && (
              <Typography variant="body2" sx={{ mt: 1 }}>
                {text.action}
              </Typography>
            )}
          </Alert>
          <Paper variant="outlined">
            <Table size="small" aria-label="Measurements">
              <TableBody>
                <Row label="Path" testId="path" value={d.path ? describePath(d.path) : 'none (not connected)'} />
                <Row label="Local candidate" testId="local-type" value={d.path?.local ?? '–'} />
                <Row label="Transport to the first hop" testId="protocol" value={d.path?.protocol ?? '–'} />
                <Row label="Server candidate" testId="remote-type" value={d.path?.remote ?? '–'} />
                <Row label="Round trip (data channel echo)" testId="rtt" value={ms(report.rttMs)} />
                <Row label="Round trip (ICE)" testId="pair-rtt" value={ms(report.pairRttMs)} />
                <Row label="Throughput" testId="throughput" value={throughputText(report.throughputKbps)} />
                <Row
                  label="Loss"
                  testId="loss"
                  value={
                    report.lossPercent === null || !report.probe
                      ? '–'
                      : `${report.lossPercent} % (${report.probe.received} of ${report.probe.sent} probe messages arrived)`
                  }
                />
                {d.turnProblems.length > 0 && (
                  <Row label="TURN problems" testId="turn-problems" value={d.turnProblems.join('; ')} />
                )}
              </TableBody>
            </Table>
          </Paper>
          <Box component="details" sx={{ color: 'text.secondary' }}>
            <summary>Details for the operator</summary>
            <Box
              component="pre"
              data-testid="connection-test-details"
              sx={{ fontSize: 12, overflowX: 'auto', whiteSpace: 'pre-wrap' }}
            >
              {JSON.stringify(report.observation, null, 1)}
            </Box>
          </Box>
        </Stack>
      )}
    </Box>
  );
}

function Row({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <TableRow>
      <TableCell component="th" scope="row" sx={{ width: '40%', color: 'text.secondary' }}>
        {label}
      </TableCell>
      <TableCell data-testid={`connection-test-${testId}`}>{value}</TableCell>
    </TableRow>
  );
}

/** The probe never sends faster than PROBE_MAX_KBPS: reaching it says the path carries at least that. */
function throughputText(kbps: number | null): string {
  if (kbps === null) return '–';
  return kbps >= 0.95 * PROBE_MAX_KBPS
    ? `${kbps} kbit/s (the most this test sends; the path may carry more)`
    : `${kbps} kbit/s`;
}
