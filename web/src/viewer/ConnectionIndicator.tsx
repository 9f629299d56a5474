/**
 * The viewer header's word on the connection, which speaks only when something is wrong: a notice
 * while the network lowers the picture, nothing while all is well. The technical numbers (codec, resolution, frame rate, round trips) are behind
 * a small info button, for whoever wants them.
 */
import { useId, useState } from 'react';
import Box from '@mui/material/Box';
import Chip from '@mui/material/Chip';
import IconButton from '@mui/material/IconButton';
import Popover from '@mui/material/Popover';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import InfoOutlinedIcon from '@mui/icons-material/InfoOutlined';
import { describeQuality, type QualityNotice } from './networkQuality.ts';
import { codecLabel } from './codecPreferences.ts';
import { formatBitrate, formatMs, type StreamStats } from './stats.ts';
import type { ViewerState } from './viewerState.ts';

export interface ConnectionNoticeProps {
  /** The server's latest word on how the network limits the stream. */
  quality?: QualityNotice | null;
}

/**
 * Nothing when the connection is fine; a calm chip while the network lowers the picture. A lost
 * connection is said by the cover over the picture (it reconnects by itself), not here twice.
 */
export function ConnectionNotice({ quality = null }: ConnectionNoticeProps) {
  const reduced = describeQuality(quality);
  if (!reduced) return null;
  return (
    <Tooltip title={reduced}>
      <Chip
        size="small"
        color="warning"
        variant="outlined"
        label="Reduced by network"
        data-testid="network-quality"
        data-cause={quality?.cause ?? ''}
        aria-label={reduced}
      />
    </Tooltip>
  );
}

export interface ConnectionDetailsProps {
  state: ViewerState;
  stats: StreamStats | null;
  /** The `?codec=` preference, if any. */
  requestedCodec: string | null;
  quality?: QualityNotice | null;
}

/** An info button; its popover lists the live numbers (codec, resolution, fps, bitrate, round trips). */
export function ConnectionDetails({ state, stats, requestedCodec, quality = null }: ConnectionDetailsProps) {
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

  return (
    <>
      <Tooltip title="Connection details">
        <IconButton
          size="small"
          aria-label="Connection details"
          aria-describedby={anchor ? popoverId : undefined}
          onClick={(e) => setAnchor(e.currentTarget)}
          data-testid="connection-info"
        >
          <InfoOutlinedIcon fontSize="small" />
        </IconButton>
      </Tooltip>
      <Popover
        id={popoverId}
        open={anchor !== null}
        anchorEl={anchor}
        onClose={() => setAnchor(null)}
        anchorOrigin={{ vertical: 'bottom', horizontal: 'right' }}
        transformOrigin={{ vertical: 'top', horizontal: 'right' }}
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
                <dd
                  data-testid={k === 'State' ? 'connection-state' : undefined}
                  data-state={k === 'State' ? state : undefined}
                >
                  {v}
                </dd>
              </Box>
            ))}
          </Box>
        </Box>
      </Popover>
    </>
  );
}
