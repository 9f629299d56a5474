/**
 * Starting uploads into the folder on screen, from the file picker or by dropping files anywhere
 * on the page. Files over the largest upload, and dropped folders, are listed as failed at once
 * rather than sent.
 */
import { useRef, useState } from 'react';
import type { ChangeEvent, DragEvent } from 'react';
import { formatBytes } from '../shared/format.ts';
import { uploads } from './uploadQueue.ts';

export interface UploadDrop {
  /** Files are being dragged over the page (show where they would go). */
  dragging: boolean;
  /** For the drop zone's element. */
  dropzone: {
    onDragEnter: (e: DragEvent) => void;
    onDragOver: (e: DragEvent) => void;
    onDragLeave: (e: DragEvent) => void;
    onDrop: (e: DragEvent) => void;
  };
  /** For the `<input type="file">`'s change. */
  onPickFiles: (e: ChangeEvent<HTMLInputElement>) => void;
}

const hasFiles = (e: DragEvent) => Array.from(e.dataTransfer.types).includes('Files');

/** `maxUploadBytes`: the largest file the server takes (0: unknown or no limit). */
export function useUploadDrop(folder: string, maxUploadBytes: number): UploadDrop {
  const [dragging, setDragging] = useState(false);
  // dragenter/dragleave fire for every child crossed: count them to know when the pointer left the zone.
  const dragDepth = useRef(0);

  const startUploads = (files: File[]) => {
    if (files.length === 0) return;
    const max = maxUploadBytes;
    const accepted: File[] = [];
    for (const file of files) {
      // Refused before sending a byte: the server would answer 413 file-too-large anyway.
      if (max > 0 && file.size > max) {
        uploads.reject(
          folder,
          file.name,
          `${file.name} is ${formatBytes(file.size)}; the largest file you can upload is ${formatBytes(max)}.`,
          'file-too-large',
          file.size,
        );
      } else {
        accepted.push(file);
      }
    }
    uploads.add(folder, accepted);
  };

  const onPickFiles = (e: ChangeEvent<HTMLInputElement>) => {
    startUploads(Array.from(e.target.files ?? []));
    e.target.value = ''; // picking the same file again still fires a change
  };

  const onDragEnter = (e: DragEvent) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    dragDepth.current++;
    setDragging(true);
  };
  const onDragOver = (e: DragEvent) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
  };
  const onDragLeave = (e: DragEvent) => {
    if (!hasFiles(e)) return;
    dragDepth.current = Math.max(0, dragDepth.current - 1);
    if (dragDepth.current === 0) setDragging(false);
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    dragDepth.current = 0;
    setDragging(false);
    const files: File[] = [];
    const items = Array.from(e.dataTransfer.items ?? []).filter((i) => i.kind === 'file');
    if (items.length > 0) {
      for (const item of items) {
        const entry = typeof item.webkitGetAsEntry === 'function' ? item.webkitGetAsEntry() : null;
        const file = item.getAsFile();
        if (entry?.isDirectory) {
          uploads.reject(folder, entry.name, 'Folders cannot be uploaded: create the folder, then drop its files.');
        } else if (file) {
          files.push(file);
        }
      }
    } else {
      files.push(...Array.from(e.dataTransfer.files));
    }
    startUploads(files);
  };

  return { dragging, dropzone: { onDragEnter, onDragOver, onDragLeave, onDrop }, onPickFiles };
}
