import type { ControlEventKind, RecordedEvent } from '@vitrine/protocol';

/** A line of a segment's events file, as the recorder wrote it (server/src/recording/session-recorder.ts). */
interface Line {
  at: number;
  kind: RecordedEvent['kind'];
  [key: string]: unknown;
}

const NAMED_KEYS: Record<number, string> = {
  0xff08: 'Backspace',
  0xff09: 'Tab',
  0xff0d: 'Enter',
  0xff1b: 'Escape',
  0xff50: 'Home',
  0xff51: 'Left',
  0xff52: 'Up',
  0xff53: 'Right',
  0xff54: 'Down',
  0xff55: 'Page Up',
  0xff56: 'Page Down',
  0xff57: 'End',
  0xffff: 'Delete',
  0xffe1: 'Shift',
  0xffe3: 'Ctrl',
  0xffe9: 'Alt',
};

const BUTTONS = ['', 'left', 'middle', 'right'];

/** Where a claim's file is, as the owner knows it: the share's folder, not the sandbox's mount. */
const shown = (p: unknown) => (typeof p === 'string' ? p.replace(/^\/files\/?/, '') || '/' : '?');

/**
 * A recording's events as the replay's time line says them. Pointer moves are only counted: a
 * line per move would bury the clicks and pages that matter. Pure.
 */
export function timelineOf(
  lines: Line[],
  limit: number,
): { events: RecordedEvent[]; truncated: boolean; moves: number } {
  const events: RecordedEvent[] = [];
  let moves = 0;
  let truncated = false;
  for (const l of lines) {
    if (l.kind === 'input' && l.type === 'move') {
      moves++;
      continue;
    }
    const text = describe(l);
    if (text === undefined) continue;
    if (events.length >= limit) {
      truncated = true;
      continue;
    }
    events.push({ at: new Date(l.at).toISOString(), kind: l.kind, text });
  }
  return { events, truncated, moves };
}

function describe(l: Line): string | undefined {
  const who = l.by === 'watcher' ? 'The owner' : 'The client';
  if (l.kind === 'input') {
    if (l.type === 'button')
      return l.down ? `${who} clicked (${BUTTONS[Number(l.button)] ?? 'button'}) at ${l.x}, ${l.y}` : undefined;
    if (l.type === 'wheel') return `${who} scrolled`;
    if (l.type === 'key') {
      if (!l.down) return undefined;
      const sym = Number(l.keysym);
      const name =
        NAMED_KEYS[sym] ?? (sym >= 0x20 && sym <= 0x7e ? `"${String.fromCharCode(sym)}"` : `0x${sym.toString(16)}`);
      return `${who} pressed ${name}`;
    }
    return undefined;
  }
  if (l.kind === 'claim') {
    const page = typeof l.page === 'number' ? `, page ${l.page}` : '';
    const at = typeof l.position === 'number' ? ` at ${Math.round(l.position)} s` : '';
    const to = typeof l.to === 'string' ? ` to ${shown(l.to)}` : '';
    const verb = CLAIM_VERBS[l.claim as ControlEventKind] ?? String(l.claim);
    return `${verb} ${shown(l.path)}${to}${page}${at}`;
  }
  if (l.kind === 'viewer') {
    const role = l.role === 'watcher' ? ' (watching)' : '';
    if (typeof l.joined === 'string') return `${l.joined}${role} joined`;
    if (typeof l.left === 'string') return `${l.left}${role} left`;
    return undefined;
  }
  if (l.kind === 'control') {
    return l.action === 'take' ? 'The owner took control' : 'Control went back to the client';
  }
  return undefined;
}

/** What an app's claim says the person did (every kind: a new one is a compile error until it has words). */
const CLAIM_VERBS: Record<ControlEventKind, string> = {
  'folder-opened': 'Opened folder',
  'file-opened': 'Opened',
  'file-closed': 'Closed',
  'page-viewed': 'Viewed',
  'video-started': 'Played',
  'video-stopped': 'Stopped',
  renamed: 'Renamed',
  moved: 'Moved',
  'folder-created': 'Created folder',
  deleted: 'Deleted',
};
