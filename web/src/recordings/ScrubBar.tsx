/**
 * One bar over the recording's wall-clock time: the clips as filled ranges (stripes where there is
 * no picture), a mark per event above it, the playhead. Click or drag to seek; arrow keys step 5 s.
 */
import type { KeyboardEvent, PointerEvent, ReactNode } from 'react';
import Box from '@mui/material/Box';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import type { RecordedEvent } from '@vitrine/protocol';
import { formatTime } from '../shared/format.ts';
import { EVENT_KINDS } from './eventKinds.ts';
import { clipRanges, fractionOf, wallAtFraction, type ReplayTimeline } from './replayTime.ts';

interface Props {
  tl: ReplayTimeline;
  wall: number;
  events: readonly RecordedEvent[];
  onSeek: (wall: number) => void;
}

const STEP_MS = 5000;
const pct = (f: number) => `${(f * 100).toFixed(3)}%`;
const timeOf = (ms: number) => formatTime(new Date(ms).toISOString());
const GAP = 'repeating-linear-gradient(135deg, rgba(255,255,255,0.1) 0 4px, transparent 4px 8px)';

export function ScrubBar({ tl, wall, events, onSeek }: Props) {
  const seekAt = (e: PointerEvent<HTMLDivElement>) => {
    const box = e.currentTarget.getBoundingClientRect();
    onSeek(wallAtFraction(tl, (e.clientX - box.left) / box.width));
  };
  const onKeyDown = (e: KeyboardEvent) => {
    const to = { ArrowLeft: wall - STEP_MS, ArrowRight: wall + STEP_MS, Home: tl.start, End: tl.end }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    onSeek(Math.min(tl.end, Math.max(tl.start, to)));
  };
  const at = fractionOf(tl, wall);
  return (
    <Box>
      <Box
        role="slider"
        tabIndex={0}
        aria-label="Recording time line"
        aria-valuemin={0}
        aria-valuemax={Math.round((tl.end - tl.start) / 1000)}
        aria-valuenow={Math.round((wall - tl.start) / 1000)}
        aria-valuetext={timeOf(wall)}
        data-testid="replay-bar"
        onPointerDown={(e) => {
          e.currentTarget.setPointerCapture(e.pointerId);
          seekAt(e);
        }}
        onPointerMove={(e) => {
          if (e.buttons === 1) seekAt(e);
        }}
        onKeyDown={onKeyDown}
        sx={{
          position: 'relative',
          height: 36,
          cursor: 'pointer',
          touchAction: 'none',
          borderRadius: 1,
          '&:focus-visible': { outline: 2, outlineColor: 'primary.main', outlineOffset: 2 },
        }}
      >
        {events.map((e, i) => {
          const kind = EVENT_KINDS[e.kind];
          return (
            <Box
              key={i}
              title={`${timeOf(Date.parse(e.at))} ${e.text}`}
              data-testid="replay-marker"
              data-kind={e.kind}
              sx={{
                position: 'absolute',
                left: pct(fractionOf(tl, Date.parse(e.at))),
                top: kind.tall ? 0 : 6,
                width: kind.tall ? 3 : 2,
                height: kind.tall ? 14 : 8,
                ml: '-1px',
                bgcolor: kind.color,
                borderRadius: 0.5,
              }}
            />
          );
        })}
        <Box
          sx={{ position: 'absolute', left: 0, right: 0, top: 16, height: 12, borderRadius: 1, background: GAP }}
          data-testid="replay-track"
        >
          {clipRanges(tl).map((c) => (
            <Box
              key={c.clip}
              data-testid="replay-clip-range"
              sx={{
                position: 'absolute',
                top: 0,
                bottom: 0,
                left: pct(c.left),
                width: pct(c.width),
                minWidth: 2,
                bgcolor: 'primary.dark',
                borderRadius: 0.5,
                overflow: 'hidden',
              }}
            >
              {/* What has played of this clip, brighter. */}
              <Box
                sx={{
                  height: '100%',
                  width: pct(Math.min(1, Math.max(0, (at - c.left) / (c.width || 1)))),
                  bgcolor: 'primary.main',
                }}
              />
            </Box>
          ))}
        </Box>
        <Box
          aria-hidden
          sx={{
            position: 'absolute',
            left: pct(at),
            top: 12,
            height: 20,
            width: 3,
            ml: '-1.5px',
            bgcolor: 'common.white',
          }}
        />
      </Box>
      <Legend />
    </Box>
  );
}

function Legend() {
  const swatch = (sx: object) => <Box component="span" sx={{ display: 'inline-block', borderRadius: 0.5, ...sx }} />;
  const item = (mark: ReactNode, label: string) => (
    <Stack direction="row" key={label} sx={{ alignItems: 'center', gap: 0.75 }}>
      {mark}
      <Typography variant="caption" color="text.secondary">
        {label}
      </Typography>
    </Stack>
  );
  return (
    <Stack direction="row" sx={{ gap: 2, flexWrap: 'wrap', mt: 0.5 }} aria-hidden>
      {item(swatch({ width: 16, height: 10, bgcolor: 'primary.dark' }), 'Recorded')}
      {item(swatch({ width: 16, height: 10, background: GAP, bgcolor: 'action.hover' }), 'No picture (nobody watched)')}
      {Object.values(EVENT_KINDS).map((k) =>
        item(swatch({ width: 3, height: k.tall ? 14 : 8, bgcolor: k.color }), k.label),
      )}
    </Stack>
  );
}
