/** Maps a browser KeyboardEvent to an X11 keysym, or null when the key has no safe mapping. */

const NAMED: Record<string, number> = {
  Backspace: 0xff08,
  Tab: 0xff09,
  Enter: 0xff0d,
  Escape: 0xff1b,
  Delete: 0xffff,
  Home: 0xff50,
  ArrowLeft: 0xff51,
  ArrowUp: 0xff52,
  ArrowRight: 0xff53,
  ArrowDown: 0xff54,
  PageUp: 0xff55,
  PageDown: 0xff56,
  End: 0xff57,
  Insert: 0xff63,
  ContextMenu: 0xff67,
  NumLock: 0xff7f,
  CapsLock: 0xffe5,
  ' ': 0x20,
};

const MODIFIER_BY_CODE: Record<string, number> = {
  ShiftLeft: 0xffe1,
  ShiftRight: 0xffe2,
  ControlLeft: 0xffe3,
  ControlRight: 0xffe4,
  AltLeft: 0xffe9,
  AltRight: 0xffea,
  MetaLeft: 0xffeb,
  MetaRight: 0xffec,
};

export function keysymFromKey(key: string, code: string): number | null {
  const modifier = MODIFIER_BY_CODE[code];
  if (modifier !== undefined) return modifier;
  if (key === 'Shift') return 0xffe1;
  if (key === 'Control') return 0xffe3;
  if (key === 'Alt') return 0xffe9;
  if (key === 'AltGraph') return 0xfe03;
  const named = NAMED[key];
  if (named !== undefined) return named;
  const fn = /^F([1-9]|1[0-2])$/.exec(key);
  if (fn) return 0xffbe + Number(fn[1]) - 1;
  const chars = [...key];
  if (chars.length === 1) {
    const cp = key.codePointAt(0)!;
    if (cp >= 0x20 && cp <= 0x7e) return cp;
    if (cp >= 0xa0 && cp <= 0xff) return cp;
    if (cp >= 0x100 && cp <= 0x10ffff) return 0x01000000 + cp;
  }
  return null;
}
