/**
 * Moving entries by dragging them (the row, or every selected row with it) onto a folder: a
 * folder's row or a segment of the breadcrumb. Only folders that can take what is dragged accept
 * the drop (a folder never goes into itself; a folder that already holds everything dragged takes
 * nothing). Files dragged in from the desktop are the upload drop zone's (useUploadDrop), not this.
 */
import { useState } from 'react';
import type { DragEvent } from 'react';
import type { FileEntry } from './filesApi.ts';
import { canMoveInto } from './moveEntries.ts';

/** The drag's own type: other pages and apps see nothing they could act on. */
const DRAG_TYPE = 'application/x-vitrine-entries';

export interface DragSourceProps {
  draggable: true;
  onDragStart: (e: DragEvent<HTMLElement>) => void;
  onDragEnd: () => void;
}

export interface DropTargetProps {
  onDragOver: (e: DragEvent<HTMLElement>) => void;
  onDragLeave: (e: DragEvent<HTMLElement>) => void;
  onDrop: (e: DragEvent<HTMLElement>) => void;
}

export interface EntryDrag {
  /** The entries being dragged, or null. */
  dragging: readonly FileEntry[] | null;
  /** The folder the pointer is over with something it would take. */
  over: string | null;
  source: (entry: FileEntry) => DragSourceProps;
  /** Handlers for a folder that may take a drop (they refuse what it cannot take). */
  target: (folder: string) => DropTargetProps;
}

/**
 * `draggedWith(entry)`: what dragging `entry` drags (the selection when it is in it).
 * `onMove(entries, folder)`: they were dropped on `folder`.
 */
export function useEntryDrag(
  draggedWith: (entry: FileEntry) => FileEntry[],
  onMove: (entries: FileEntry[], folder: string) => void,
): EntryDrag {
  const [dragging, setDragging] = useState<FileEntry[] | null>(null);
  const [over, setOver] = useState<string | null>(null);

  const end = () => {
    setDragging(null);
    setOver(null);
  };

  const source = (entry: FileEntry): DragSourceProps => ({
    draggable: true,
    onDragStart: (e) => {
      const entries = draggedWith(entry);
      e.dataTransfer.effectAllowed = 'move';
      e.dataTransfer.setData(DRAG_TYPE, JSON.stringify(entries.map((x) => x.path)));
      // Something readable if it lands in a text field by mistake.
      e.dataTransfer.setData('text/plain', entries.map((x) => x.name).join('\n'));
      setDragging(entries);
    },
    onDragEnd: end,
  });

  const accepts = (e: DragEvent<HTMLElement>, folder: string) =>
    dragging !== null && Array.from(e.dataTransfer.types).includes(DRAG_TYPE) && canMoveInto(dragging, folder);

  const target = (folder: string): DropTargetProps => ({
    onDragOver: (e) => {
      if (!accepts(e, folder)) return;
      e.preventDefault();
      e.stopPropagation();
      e.dataTransfer.dropEffect = 'move';
      if (over !== folder) setOver(folder);
    },
    onDragLeave: (e) => {
      // Leaving for a child of the same target is not leaving.
      if (e.relatedTarget instanceof Node && e.currentTarget.contains(e.relatedTarget)) return;
      if (over === folder) setOver(null);
    },
    onDrop: (e) => {
      if (!accepts(e, folder)) return;
      e.preventDefault();
      e.stopPropagation();
      const entries = dragging ?? [];
      end();
      onMove(entries, folder);
    },
  });

  return { dragging, over, source, target };
}
