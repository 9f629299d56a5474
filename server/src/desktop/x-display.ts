import net from 'node:net';
import x11, { type XClient, type XDisplayInfo } from 'x11';

/**
 * One persistent X11 connection from the server to a session's private display, used to
 * learn when the screen changes (DAMAGE) and to inject input (XTEST). The X server runs in
 * the sandbox and is therefore untrusted: every callback is guarded and a protocol error
 * only closes this connection.
 */
export class XDisplay {
  private damageListeners: Array<() => void> = [];
  /** The size the app's top-level windows are given, once the session follows its viewer. */
  private windowSize: { width: number; height: number } | undefined;
  private closedListeners: Array<(err?: Error) => void> = [];
  private closed = false;
  readonly width: number;
  readonly height: number;

  private readonly client: XClient;
  readonly info: XDisplayInfo;
  private readonly xtest: XTestExt;
  private readonly socket: net.Socket;

  private constructor(client: XClient, info: XDisplayInfo, xtest: XTestExt, socket: net.Socket) {
    this.client = client;
    this.info = info;
    this.xtest = xtest;
    this.socket = socket;
    const screen = info.screen[0]!;
    this.width = screen.pixel_width;
    this.height = screen.pixel_height;
  }

  static async connect(socketPath: string, cookie: Buffer, timeoutMs = 5000): Promise<XDisplay> {
    const socket = net.createConnection(socketPath);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const timer = setTimeout(() => socket.destroy(new Error('X handshake timed out')), timeoutMs);
    try {
      const { client, info } = await new Promise<{ client: XClient; info: XDisplayInfo }>((resolve, reject) => {
        socket.once('error', reject);
        const auth = { name: 'MIT-MAGIC-COOKIE-1', data: cookie.toString('latin1') };
        const client = x11.createClient({ stream: socket, auth }, (err, info) =>
          err ? reject(err) : resolve({ client, info }),
        );
        client.on('error', reject);
      });
      const [damage, xtest] = await Promise.all([
        requireExt<DamageExt>(client, 'damage'),
        requireExt<XTestExt>(client, 'xtest'),
      ]);
      const display = new XDisplay(client, info, xtest, socket);
      display.watchDamage(damage);
      return display;
    } finally {
      clearTimeout(timer);
    }
  }

  private watchDamage(damage: DamageExt): void {
    const root = this.info.screen[0]!.root;
    const id = this.client.AllocID();
    // NonEmpty: one event per "dirty" transition; we acknowledge with Subtract when we grab.
    damage.Create(id, root, damage.ReportLevel.NonEmpty);
    this.client.removeAllListeners('error');
    // Top-level windows appearing: sized like the others once the session follows its viewer.
    this.client.ChangeWindowAttributes(root, { eventMask: SUBSTRUCTURE_NOTIFY });
    this.client.on('event', (ev: { name?: string; event?: unknown; wid?: unknown; overrideRedirect?: unknown }) => {
      if (ev.name === 'MapNotify') {
        if (ev.event === root && ev.overrideRedirect === false && typeof ev.wid === 'number') this.fit(ev.wid);
        return;
      }
      if (ev.name !== 'DamageNotify') return;
      damage.Subtract(id, 0, 0);
      for (const l of this.damageListeners) l();
    });
    this.client.on('error', (err: Error & { error?: number; majorOpcode?: number }) => {
      // A window that went away between our look and our configure: nothing to size.
      if (err.error === BAD_WINDOW && err.majorOpcode === CONFIGURE_WINDOW) return;
      this.close(err);
    });
    this.socket.on('close', () => this.close());
    this.socket.on('error', (err) => this.close(err));
  }

  /**
   * Gives every mapped top-level window of the app (not menus or tooltips, which bypass window
   * management) the position 0,0 and this size, now and whenever one is mapped later. No window
   * manager runs on the display, so the configure applies at once; the app sees a ConfigureNotify
   * and relayouts (Chromium does, measured). Resolves once the requests are sent.
   */
  async fitWindows(width: number, height: number): Promise<void> {
    if (this.closed) return;
    this.windowSize = { width, height };
    const root = this.info.screen[0]!.root;
    const children = await new Promise<number[]>((resolve) =>
      this.client.QueryTree(root, (err, tree) => {
        resolve(err ? [] : tree.children);
        return true;
      }),
    );
    const top = await Promise.all(
      children.map(
        (wid) =>
          new Promise<number | null>((resolve) =>
            this.client.GetWindowAttributes(wid, (err, a) => {
              resolve(!err && a.mapState !== MAP_STATE_UNMAPPED && !a.overrideRedirect ? wid : null);
              return true;
            }),
          ),
      ),
    );
    for (const wid of top) if (wid !== null) this.fit(wid);
  }

  private fit(wid: number): void {
    const size = this.windowSize;
    if (!size || this.closed) return;
    this.client.MoveResizeWindow(wid, 0, 0, size.width, size.height);
  }

  onDamage(listener: () => void): void {
    this.damageListeners.push(listener);
  }

  onClosed(listener: (err?: Error) => void): void {
    this.closedListeners.push(listener);
  }

  getKeyboardMapping(): Promise<{ first: number; rows: number[][] }> {
    const first = this.info.min_keycode;
    const count = this.info.max_keycode - first + 1;
    return new Promise((resolve, reject) =>
      this.client.GetKeyboardMapping(first, count, (err, rows) => (err ? reject(err) : resolve({ first, rows }))),
    );
  }

  changeKeyboardMapping(keycode: number, keysyms: number[]): void {
    if (this.closed) return;
    this.client.ChangeKeyboardMapping(keycode, keysyms.length, keysyms);
  }

  fakeMotion(x: number, y: number): void {
    if (this.closed) return;
    this.xtest.FakeInput(this.xtest.MotionNotify, 0, 0, this.info.screen[0]!.root, x, y);
  }

  fakeButton(button: number, down: boolean): void {
    if (this.closed) return;
    this.xtest.FakeInput(down ? this.xtest.ButtonPress : this.xtest.ButtonRelease, button, 0, 0, 0, 0);
  }

  fakeKey(keycode: number, down: boolean): void {
    if (this.closed) return;
    this.xtest.FakeInput(down ? this.xtest.KeyPress : this.xtest.KeyRelease, keycode, 0, 0, 0, 0);
  }

  close(err?: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    for (const l of this.closedListeners) l(err);
  }
}

const SUBSTRUCTURE_NOTIFY = 0x00080000;
const MAP_STATE_UNMAPPED = 0;
const BAD_WINDOW = 3;
const CONFIGURE_WINDOW = 12;

interface DamageExt {
  ReportLevel: { NonEmpty: number };
  Create(id: number, drawable: number, level: number): void;
  Subtract(id: number, repair: number, parts: number): void;
}

interface XTestExt {
  KeyPress: number;
  KeyRelease: number;
  ButtonPress: number;
  ButtonRelease: number;
  MotionNotify: number;
  FakeInput(type: number, detail: number, time: number, window: number, x: number, y: number): void;
}

function requireExt<T>(client: XClient, name: 'damage' | 'xtest'): Promise<T> {
  return new Promise((resolve, reject) =>
    client.require(name, (err, ext) =>
      err ? reject(new Error(`X extension ${name}: ${err.message}`)) : resolve(ext as T),
    ),
  );
}
