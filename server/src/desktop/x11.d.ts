// Minimal typing of the parts of the `x11` package Vitrine uses (the package ships no types).
declare module 'x11' {
  import type { Duplex } from 'node:stream';
  import type { EventEmitter } from 'node:events';

  export interface XScreen {
    root: number;
    pixel_width: number;
    pixel_height: number;
  }
  export interface XEvent {
    name?: string;
    type: number;
    [key: string]: unknown;
  }
  export interface XClient extends EventEmitter {
    AllocID(): number;
    require(ext: 'damage' | 'xtest', cb: (err: Error | null, ext: any) => void): void;
    GetKeyboardMapping(first: number, count: number, cb: (err: Error | null, rows: number[][]) => void): void;
    ChangeKeyboardMapping(first: number, perKeycode: number, keysyms: number[]): void;
    GetInputFocus?(cb: (err: Error | null, focus: unknown) => void): void;
    ChangeWindowAttributes(wid: number, values: { eventMask?: number }): void;
    /** A callback returning true has handled an X error itself (else the client emits 'error'). */
    QueryTree(
      wid: number,
      cb: (err: Error | null, tree: { root: number; parent: number; children: number[] }) => boolean,
    ): void;
    GetWindowAttributes(
      wid: number,
      cb: (err: Error | null, attrs: { mapState: number; overrideRedirect: number }) => boolean,
    ): void;
    MoveResizeWindow(wid: number, x: number, y: number, width: number, height: number): void;
    terminate(): void;
  }
  export interface XDisplayInfo {
    client: XClient;
    screen: XScreen[];
    min_keycode: number;
    max_keycode: number;
  }
  export function createClient(
    options: { stream?: Duplex; display?: string; debug?: boolean; auth?: { name: string; data: string } },
    cb: (err: Error | null, display: XDisplayInfo) => void,
  ): XClient;
  const x11: { createClient: typeof createClient };
  export default x11;
}
