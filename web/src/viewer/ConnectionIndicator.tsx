/**
 * Toolbar chip showing the connection state; click to expand the live numbers (codec, resolution,
 * decoded fps, bitrate, round-trip times).
 */
import { useId, useState } from 'react';
import Box from '@mui/material/Box';
import Chip from '@mui/material/Chip';
import Popover from '@mui/material/Popover';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import { describeQuality, type QualityNotice } from './networkQuality.ts';
import { codecLabel } from './codecPreferences.ts';
import { formatBitrate, formatMs, type StreamStats } from './stats.ts';
import type { ViewerState } from './viewerState.ts';

const STATE_COLOR: Record<ViewerState, string> = {
  idle: '#787c99',
  signaling: '#e0af68',
  negotiating: '#e0af68',
  connecting: '#e0af68',
  connected: '#7dcfff',
  streaming: '#9ece6a',
  reconnecting: '#ff9e64',
  ended: '#787c99',
  failed: '#f7768e',
  error: '#f7768e',
};

export interface ConnectionIndicatorProps {
  state: ViewerState;
  stats: StreamStats | null;
  /** The `?codec=` preference, if any. */
  requestedCodec: string | null;
  /** The server's latest word on how the network limits the stream. */
  quality?: QualityNotice | null;
}

export function ConnectionIndicator({ state, stats, requestedCodec, quality = null }: ConnectionIndicatorProps) {
  const reduced = describeQuality(quality);
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  const popoverId = useId();
  const s = stats;
  const resolution = s?.width && s?.height ? `${s.width}×${s.height}` : '–';
  const rows: [string, string][] = [
    ['State', state],
    ['Codec', codecLabel(s?.codec) ?? '–'],
    ['Requested codec', requestedCodec ? requestedCodec.toUpperCase() : 'browser default'],
    ['Resolution', resolution],
    ['Decoded fps', s?.fps != null ? s.fps.toFixed(1) : '–'],
    ['Bitrate', formatBitrate(s?.bitrate ?? null)],
    ['Input round trip', formatMs(s?.inputRttMs ?? null)],
    ['ICE round trip', formatMs(s?.iceRttMs ?? null)],
    ['Jitter', formatMs(s?.jitterMs ?? null)],
    ['Packets lost', s?.packetsLost != null ? String(s.packetsLost) : '–'],
    ['Frames dropped', s?.framesDropped != null ? String(s.framesDropped) : '–'],
    ['Candidate', s?.candidateType ?? '–'],
    [
      'Network limit',
      reduced && quality ? `${formatBitrate(quality.targetKbps * 1000)}, ${quality.framerate} fps` : 'none',
    ],
  ];
  const rtt = s?.inputRttMs ?? s?.iceRttMs ?? null;

  return (
    <>
      <Chip
        size="small"
        variant="outlined"
        clickable
        aria-describedby={anchor ? popoverId : undefined}
        aria-label="Connection details"
        onClick={(e) => setAnchor(e.currentTarget)}
        icon={
          <Box
            component="span"
            sx={{ width: 8, height: 8, borderRadius: '50%', bgcolor: STATE_COLOR[state], ml: '8px !important' }}
          />
        }
        label={
          <Box component="span" sx={{ display: 'inline-flex', gap: 1, alignItems: 'baseline' }}>
            <span data-testid="connection-state" data-state={state}>
              {state}
            </span>
            {state === 'streaming' && rtt !== null && (
              <Box component="span" sx={{ color: 'text.secondary', fontVariantNumeric: 'tabular-nums' }}>
                {formatMs(rtt)}
              </Box>
            )}
          </Box>
        }
      />
      {reduced && (
        <Tooltip title={reduced}>
          <Chip
            size="small"
            color="warning"
            variant="outlined"
            label="Reduced by network"
            data-testid="network-quality"
            data-cause={quality?.cause ?? ''}
            aria-label={reduced}
            sx={{ ml: 1 }}
          />
        </Tooltip>
      )}
      <Popover
        id={popoverId}
        open={anchor !== null}
        anchorEl={anchor}
        onClose={() => setAnchor(null)}
        anchorOrigin={{ vertical: 'bottom', horizontal: 'left' }}
        transformOrigin={{ vertical: 'top', horizontal: 'left' }}
      >
        <Box sx={{ p: 2, minWidth: 260 }} data-testid="connection-details">
          <Typography variant="subtitle2" sx={{ mb: 1 }}>
            Connection
          </Typography>
          <Box
            component="dl"
            sx={{
              m: 0,
              display: 'grid',
              gridTemplateColumns: 'auto 1fr',
              columnGap: 2,
              rowGap: 0.5,
              fontSize: 13,
              fontVariantNumeric: 'tabular-nums',
              '& dt': { color: 'text.secondary' },
              '& dd': { m: 0, textAlign: 'right' },
            }}
          >
            {rows.map(([k, v]) => (
              <Box key={k} sx={{ display: 'contents' }}>
                <dt>{k}</dt>
                <dd>{v}</dd>
              </Box>
            ))}
          </Box>
        </Box>
      </Popover>
    </>
  );
}
