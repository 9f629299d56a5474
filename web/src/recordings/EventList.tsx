/**
 * What happened during the recording, one line each ("12:03:10 Viewed Reports/q3.pdf, page 7"):
 * the event playback has reached is highlighted (and kept in view); choosing one seeks there.
 */
import { useEffect, useRef } from 'react';
import Box from '@mui/material/Box';
import List from '@mui/material/List';
import ListItemButton from '@mui/material/ListItemButton';
import Typography from '@mui/material/Typography';
import type { RecordedEvent } from '@vitrine/protocol';
import { formatTime } from '../shared/format.ts';
import { EVENT_KINDS } from './eventKinds.ts';

interface Props {
  events: readonly RecordedEvent[];
  current: number;
  onPick: (event: RecordedEvent) => void;
}

export function EventList({ events, current, onPick }: Props) {
  const listRef = useRef<HTMLUListElement | null>(null);

  // Scrolls the list only (scrollIntoView would scroll the page too, under the person's feet).
  useEffect(() => {
    const list = listRef.current;
    const item = list?.children[current] as HTMLElement | undefined;
    if (!list || !item) return;
    const top = item.offsetTop - list.offsetTop;
    if (top < list.scrollTop || top + item.offsetHeight > list.scrollTop + list.clientHeight) {
      list.scrollTop = top - list.clientHeight / 3;
    }
  }, [current]);

  if (events.length === 0) {
    return (
      <Typography variant="body2" color="text.secondary" sx={{ p: 2 }} data-testid="replay-no-events">
        Nothing happened that the time line lists.
      </Typography>
    );
  }
  return (
    <List dense ref={listRef} aria-label="What happened" sx={{ overflowY: 'auto', flex: 1, minHeight: 0, py: 0 }}>
      {events.map((e, i) => (
        <ListItemButton
          key={i}
          selected={i === current}
          aria-current={i === current ? 'true' : undefined}
          onClick={() => onPick(e)}
          data-testid="replay-event"
          data-kind={e.kind}
          data-at={e.at}
          data-current={i === current ? 'true' : 'false'}
          sx={{ alignItems: 'baseline', gap: 1.25 }}
        >
          <Box
            component="span"
            aria-hidden
            sx={{ width: 8, height: 8, borderRadius: '50%', bgcolor: EVENT_KINDS[e.kind].color, flexShrink: 0 }}
          />
          <Typography
            variant="body2"
            component="span"
            color="text.secondary"
            sx={{ fontVariantNumeric: 'tabular-nums', flexShrink: 0 }}
          >
            {formatTime(e.at)}
          </Typography>
          <Typography variant="body2" component="span" sx={{ overflowWrap: 'anywhere' }}>
            {e.text}
          </Typography>
        </ListItemButton>
      ))}
    </List>
  );
}
