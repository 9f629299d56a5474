/** How each kind of recorded event looks, on the scrub bar and in the event list alike. */
import type { RecordedEvent } from '@vitrine/protocol';

export const EVENT_KINDS: Record<RecordedEvent['kind'], { label: string; color: string; tall: boolean }> = {
  // What the app says was on screen (files, pages) matters most: taller and in its own colour.
  claim: { label: 'File or page', color: 'secondary.main', tall: true },
  control: { label: 'Control', color: 'warning.main', tall: false },
  viewer: { label: 'Viewer', color: 'success.main', tall: false },
  input: { label: 'Input', color: 'grey.500', tall: false },
};
