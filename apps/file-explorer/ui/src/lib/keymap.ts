// The keyboard map, in one place: what a key does where the focus is. The person drives the app
// through a video stream, so everything is reachable from the keyboard. Documented in
// apps/file-explorer/README.md; keep the two in step.

export type KeyContext =
  | 'list'
  | 'filter'
  | 'tree'
  | 'pdf'
  | 'document'
  | 'spreadsheet'
  | 'image'
  | 'video'
  | 'audio'
  | 'text'
  | 'other'
  | 'dialog'
  | 'search'; // the search across the shares (its panel handles its own keys)

export interface KeyInput {
  key: string;
  ctrl?: boolean;
  alt?: boolean;
  shift?: boolean;
  meta?: boolean;
  /** Focus is in a text field (filter, page number, dialog input). */
  inInput?: boolean;
}

export type Action =
  // anywhere
  | 'block' // swallow a browser shortcut (zoom, reload, find) that would break the kiosk page
  | 'refresh'
  | 'focus-filter'
  | 'open-search'
  // list
  | 'select-next'
  | 'select-prev'
  | 'select-first'
  | 'select-last'
  | 'select-page-down'
  | 'select-page-up'
  | 'open'
  | 'enter-folder'
  | 'go-up'
  | 'escape'
  | 'new-folder'
  | 'rename'
  | 'move'
  | 'delete'
  | 'cycle-sort'
  | 'reverse-sort'
  | 'type-all'
  | 'type-documents'
  | 'type-images'
  | 'type-videos'
  | 'type-text'
  | 'focus-tree'
  // filter field
  | 'filter-to-list'
  | 'filter-escape'
  // tree
  | 'tree-next'
  | 'tree-prev'
  | 'tree-expand'
  | 'tree-collapse'
  | 'tree-open'
  | 'tree-first'
  | 'tree-last'
  | 'focus-list'
  // every preview
  | 'close-preview'
  | 'leave-input'
  // pdf
  | 'next-page'
  | 'prev-page'
  | 'first-page'
  | 'last-page'
  | 'scroll-down'
  | 'scroll-up'
  | 'goto-page'
  | 'zoom-in'
  | 'zoom-out'
  | 'fit-width'
  | 'fit-page'
  | 'toggle-thumbnails'
  // image
  | 'fit'
  | 'actual-size'
  | 'pan-left'
  | 'pan-right'
  | 'pan-up'
  | 'pan-down'
  // video
  | 'toggle-play'
  | 'seek-back'
  | 'seek-forward'
  | 'seek-start'
  | 'seek-end'
  | 'speed-down'
  | 'speed-up'
  // text
  | 'next-part'
  | 'prev-part'
  // spreadsheet
  | 'cell-left'
  | 'cell-right'
  | 'cell-up'
  | 'cell-down'
  | 'cell-page-up'
  | 'cell-page-down'
  | 'cell-row-start'
  | 'cell-row-end'
  | 'cell-first'
  | 'cell-last'
  | 'next-sheet'
  | 'prev-sheet'
  | 'goto-cell';

const PREVIEWS: KeyContext[] = ['pdf', 'spreadsheet', 'image', 'video', 'audio', 'text', 'other'];

export function resolveKey(ctx: KeyContext, k: KeyInput): Action | null {
  const ctrl = !!(k.ctrl || k.meta);
  const key = k.key;

  // Browser shortcuts that would zoom, reload or open the find bar of the kiosk page.
  if (ctrl && !k.alt) {
    if (ctx === 'pdf' || ctx === 'image') {
      if (key === '+' || key === '=') return 'zoom-in';
      if (key === '-') return 'zoom-out';
      if (key === '0') return ctx === 'pdf' ? 'fit-page' : 'fit';
    }
    if (ctx === 'spreadsheet') {
      if (key === 'PageDown') return 'next-sheet';
      if (key === 'PageUp') return 'prev-sheet';
      if (key === 'Home') return 'cell-first';
      if (key === 'End') return 'cell-last';
    }
    if (key === '+' || key === '=' || key === '-' || key === '0') return 'block';
    // Ctrl+Shift+F searches the whole share; Ctrl+F (and /) filters the folder shown.
    if (k.shift && (key === 'f' || key === 'F'))
      return ctx === 'list' || ctx === 'tree' || ctx === 'filter' || ctx === 'search' ? 'open-search' : 'block';
    if (key === 'f' || key === 'F')
      return ctx === 'list' || ctx === 'tree' || ctx === 'filter' ? 'focus-filter' : 'block';
    if (key === 'r' || key === 'R') return ctx === 'list' || ctx === 'tree' ? 'refresh' : 'block';
    if (key === 'p' || key === 'P' || key === 's' || key === 'S' || key === 'o' || key === 'O') return 'block';
    return null;
  }
  if (key === 'F5') return ctx === 'list' || ctx === 'tree' ? 'refresh' : 'block';

  if (ctx === 'dialog' || ctx === 'search') return null; // dialogs and the search panel handle their own keys

  if (ctx === 'filter') {
    if (key === 'ArrowDown' || key === 'Enter') return 'filter-to-list';
    if (key === 'Escape') return 'filter-escape';
    return null;
  }

  if (k.inInput) {
    // A field inside a preview (the page number): Escape gives the keys back to the viewer.
    return key === 'Escape' ? 'leave-input' : null;
  }
  if (k.alt) {
    if (key === 'ArrowUp' && (ctx === 'list' || ctx === 'tree')) return 'go-up';
    if (key === 'ArrowLeft' && PREVIEWS.includes(ctx)) return 'close-preview';
    return null;
  }

  if (ctx === 'list' || ctx === 'tree') {
    if (key === '/') return 'focus-filter';
    if (key === 'Backspace') return 'go-up';
    if (ctx === 'tree') {
      switch (key) {
        case 'ArrowDown':
          return 'tree-next';
        case 'ArrowUp':
          return 'tree-prev';
        case 'ArrowRight':
          return 'tree-expand';
        case 'ArrowLeft':
          return 'tree-collapse';
        case 'Enter':
        case ' ':
          return 'tree-open';
        case 'Home':
          return 'tree-first';
        case 'End':
          return 'tree-last';
        case 'Escape':
          return 'focus-list';
      }
      return null;
    }
    switch (key) {
      case 'ArrowDown':
        return 'select-next';
      case 'ArrowUp':
        return 'select-prev';
      case 'Home':
        return 'select-first';
      case 'End':
        return 'select-last';
      case 'PageDown':
        return 'select-page-down';
      case 'PageUp':
        return 'select-page-up';
      case 'Enter':
        return 'open';
      case 'ArrowRight':
        return 'enter-folder';
      case 'ArrowLeft':
        return 'go-up';
      case 'Escape':
        return 'escape';
      case 'n':
      case 'N':
        return 'new-folder';
      case 'F2':
        return 'rename';
      case 'm':
      case 'M':
        return 'move';
      case 'Delete':
        return 'delete';
      case 's':
        return 'cycle-sort';
      case 'S':
        return 'reverse-sort';
      case '1':
        return 'type-all';
      case '2':
        return 'type-documents';
      case '3':
        return 'type-images';
      case '4':
        return 'type-videos';
      case '5':
        return 'type-text';
      case 't':
        return 'focus-tree';
    }
    return null;
  }

  // Previews.
  if (key === 'Escape' || key === 'Backspace') return 'close-preview';

  if (ctx === 'pdf') {
    switch (key) {
      case 'PageDown':
      case 'ArrowRight':
        return 'next-page';
      case ' ':
        return k.shift ? 'prev-page' : 'next-page';
      case 'PageUp':
      case 'ArrowLeft':
        return 'prev-page';
      case 'Home':
        return 'first-page';
      case 'End':
        return 'last-page';
      case 'ArrowDown':
        return 'scroll-down';
      case 'ArrowUp':
        return 'scroll-up';
      case 'g':
      case 'G':
        return 'goto-page';
      case '+':
      case '=':
        return 'zoom-in';
      case '-':
      case '_':
        return 'zoom-out';
      case 'w':
      case 'W':
        return 'fit-width';
      case 'p':
      case 'P':
        return 'fit-page';
      case 't':
      case 'T':
        return 'toggle-thumbnails';
    }
    return null;
  }

  if (ctx === 'image') {
    switch (key) {
      case '+':
      case '=':
        return 'zoom-in';
      case '-':
      case '_':
        return 'zoom-out';
      case '0':
      case 'f':
      case 'F':
      case 'p':
      case 'P':
      case 'w':
      case 'W':
        return 'fit';
      case '1':
        return 'actual-size';
      case 'ArrowLeft':
        return 'pan-left';
      case 'ArrowRight':
        return 'pan-right';
      case 'ArrowUp':
        return 'pan-up';
      case 'ArrowDown':
        return 'pan-down';
    }
    return null;
  }

  if (ctx === 'video' || ctx === 'audio') {
    switch (key) {
      case ' ':
      case 'k':
      case 'K':
        return 'toggle-play';
      case 'ArrowLeft':
        return 'seek-back';
      case 'ArrowRight':
        return 'seek-forward';
      case 'Home':
        return 'seek-start';
      case 'End':
        return 'seek-end';
      case '<':
      case ',':
        return 'speed-down';
      case '>':
      case '.':
        return 'speed-up';
    }
    return null;
  }

  if (ctx === 'spreadsheet') {
    switch (key) {
      case 'ArrowLeft':
        return 'cell-left';
      case 'ArrowRight':
        return 'cell-right';
      case 'ArrowUp':
        return 'cell-up';
      case 'ArrowDown':
        return 'cell-down';
      case 'PageUp':
        return 'cell-page-up';
      case 'PageDown':
        return 'cell-page-down';
      case 'Home':
        return 'cell-row-start';
      case 'End':
        return 'cell-row-end';
      case 'g':
      case 'G':
        return 'goto-cell';
    }
    return null;
  }

  if (ctx === 'text') {
    switch (key) {
      case ']':
        return 'next-part';
      case '[':
        return 'prev-part';
    }
    return null; // arrows, PageUp/PageDown, Home/End scroll the text natively
  }

  return null;
}
