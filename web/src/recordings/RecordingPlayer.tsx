/**
 * `/recordings/<id>`: one recording replayed. The video plays clip after clip; the bar, the time
 * readout and the event list all speak wall-clock time, so "12:03:10" means the same moment in
 * each, and the audit trail's times match too.
 */
import { useCallback, useMemo, useRef, useState, type SyntheticEvent } from 'react';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import IconButton from '@mui/material/IconButton';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import ArrowBackIcon from '@mui/icons-material/ArrowBack';
import PauseIcon from '@mui/icons-material/Pause';
import PlayArrowIcon from '@mui/icons-material/PlayArrow';
import { formatBytes, formatDateTime, formatPosition, formatTime } from '../shared/format.ts';
import { Loading, PageAlert, PageHeader } from '../shared/PageParts.tsx';
import { useReloadable } from '../shared/useReloadable.ts';
import { navigate } from '../router.ts';
import { EventList } from './EventList.tsx';
import { RecordingStateChip } from './RecordingStateChip.tsx';
import { clientLabel, recordingLength } from './recordingText.ts';
import { clipProblem, clipUrl, getRecording, type RecordingDetail } from './recordingsApi.ts';
import { currentEventIndex, replayTimeline } from './replayTime.ts';
import { ScrubBar } from './ScrubBar.tsx';
import { useReplay } from './useReplay.ts';

export function RecordingPlayer({ id }: { id: string }) {
  const load = useCallback((signal: AbortSignal) => getRecording(id, signal), [id]);
  const { data: recording, loadError, reload } = useReloadable(load);
  const title = recording ? [clientLabel(recording), recording.shareLabel].filter(Boolean).join(' · ') : 'Recording';
  return (
    <Box sx={{ p: { xs: 2, md: 3 } }} data-testid="replay-page">
      <Button size="small" startIcon={<ArrowBackIcon />} onClick={() => navigate('/recordings')} sx={{ mb: 1 }}>
        Recordings
      </Button>
      <PageHeader
        title={title}
        subtitle={
          recording
            ? `Started ${formatDateTime(recording.startedAt, undefined, { seconds: true })} · ${recordingLength(recording)} · ${formatBytes(recording.bytes)}`
            : 'Loading…'
        }
        onReload={reload}
      >
        {recording && <RecordingStateChip state={recording.state} />}
      </PageHeader>
      <PageAlert actionError={null} onDismiss={reload} loadError={loadError} onRetry={reload} />
      {!recording && !loadError && <Loading label="Loading the recording" />}
      {recording?.state === 'recording' && (
        <Alert severity="info" sx={{ mb: 2 }}>
          This session is still being recorded: Reload to see what was recorded since.
        </Alert>
      )}
      {/* Keyed: a reload with more clips starts the player over with the new time line. */}
      {recording && <Player key={`${recording.clips.length}:${recording.events.length}`} recording={recording} />}
    </Box>
  );
}

function Player({ recording }: { recording: RecordingDetail }) {
  const tl = useMemo(() => replayTimeline(recording), [recording]);
  const videoRef = useRef<HTMLVideoElement | null>(null);
  const replay = useReplay(tl, videoRef);
  const [problem, setProblem] = useState<{ index: number; message: string } | null>(null);
  // The picture's shape, kept while the next clip loads: the element would otherwise shrink to
  // no picture for a moment and the bar under it jump (a click aimed at it landed elsewhere).
  const [aspect, setAspect] = useState('16 / 9');
  const clip = tl.clips[replay.index];
  const current = currentEventIndex(recording.events, replay.wall);

  const onError = () => {
    const index = replay.index;
    if (clip) void clipProblem(recording.id, clip.clip).then((message) => setProblem({ index, message }));
  };

  return (
    <Stack direction={{ xs: 'column', lg: 'row' }} sx={{ gap: 2, alignItems: 'stretch' }}>
      <Paper variant="outlined" sx={{ flex: 1, minWidth: 0, p: 1.5 }}>
        {problem?.index === replay.index && (
          <Alert severity="error" sx={{ mb: 1.5 }} data-testid="replay-error">
            This part of the recording cannot be played: {problem.message}
          </Alert>
        )}
        {clip ? (
          <Box
            component="video"
            ref={videoRef}
            src={clipUrl(recording.id, clip.clip)}
            preload="auto"
            playsInline
            disablePictureInPicture
            aria-label="Recorded session"
            data-testid="replay-video"
            data-clip={clip.clip}
            onClick={replay.toggle}
            onError={onError}
            {...replay.handlers}
            onLoadedMetadata={(e: SyntheticEvent<HTMLVideoElement>) => {
              const v = e.currentTarget;
              if (v.videoWidth > 0 && v.videoHeight > 0) setAspect(`${v.videoWidth} / ${v.videoHeight}`);
              replay.handlers.onLoadedMetadata();
            }}
            sx={{
              display: 'block',
              width: '100%',
              aspectRatio: aspect,
              objectFit: 'contain',
              minHeight: 240,
              maxHeight: 'calc(100dvh - 360px)',
              bgcolor: 'common.black',
              borderRadius: 1,
            }}
          />
        ) : (
          <Typography color="text.secondary" sx={{ py: 8, textAlign: 'center' }} data-testid="replay-no-picture">
            No picture was recorded in this session.
          </Typography>
        )}
        <Stack direction="row" sx={{ alignItems: 'center', gap: 1.5, mt: 1 }}>
          <Tooltip title={replay.playing ? 'Pause' : 'Play'} placement="top">
            <span>
              <IconButton
                onClick={replay.toggle}
                disabled={!clip || problem?.index === replay.index}
                aria-label={replay.playing ? 'Pause' : 'Play'}
                data-testid="replay-toggle"
              >
                {replay.playing ? <PauseIcon /> : <PlayArrowIcon />}
              </IconButton>
            </span>
          </Tooltip>
          <Typography
            variant="h6"
            component="span"
            sx={{ fontVariantNumeric: 'tabular-nums' }}
            data-testid="replay-time"
            data-wall={Math.round(replay.wall)}
            aria-label="Time on screen"
          >
            {formatTime(new Date(replay.wall).toISOString())}
          </Typography>
          <Typography variant="body2" color="text.secondary" sx={{ fontVariantNumeric: 'tabular-nums' }}>
            {formatPosition((replay.wall - tl.start) / 1000)} of {formatPosition((tl.end - tl.start) / 1000)}
          </Typography>
        </Stack>
        <ScrubBar tl={tl} wall={replay.wall} events={recording.events} onSeek={replay.seek} />
      </Paper>
      <EventsPanel recording={recording} current={current} onSeek={replay.seek} />
    </Stack>
  );
}

function EventsPanel(props: { recording: RecordingDetail; current: number; onSeek: (wall: number) => void }) {
  const { recording, current, onSeek } = props;
  const notes = [
    recording.eventsTruncated ? `Only the first ${recording.events.length} events are listed.` : null,
    recording.pointerMoves > 0 ? `${recording.pointerMoves} pointer moves are counted, not listed.` : null,
  ].filter(Boolean);
  return (
    // Beside the video, as tall as it (the list scrolls); under it on narrow screens.
    <Paper variant="outlined" sx={{ width: { lg: 400 }, position: 'relative', minHeight: { xs: 320, lg: 0 } }}>
      <Stack sx={{ position: { lg: 'absolute' }, inset: 0, maxHeight: { xs: 420, lg: 'none' } }}>
        <Typography variant="subtitle1" component="h2" sx={{ fontWeight: 600, px: 2, pt: 1.5, pb: 1 }}>
          What happened
        </Typography>
        <EventList events={recording.events} current={current} onPick={(e) => onSeek(Date.parse(e.at))} />
        {notes.length > 0 && (
          <Typography
            variant="caption"
            color="text.secondary"
            sx={{ px: 2, py: 1, borderTop: 1, borderColor: 'divider' }}
          >
            {notes.join(' ')}
          </Typography>
        )}
      </Stack>
    </Paper>
  );
}
