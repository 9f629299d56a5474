/** How file and folder names are shown across the storage screens. */
import { ellipsis } from '../shared/styles.ts';

/**
 * A name as it is, on one line: leading and doubled spaces shown (`pre`: " notes.txt" is not
 * "notes.txt"), cut with "…" when too long (give the element a `title` with the whole name).
 */
export const entryNameText = { ...ellipsis, whiteSpace: 'pre' } as const;
