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
    this.client.on('event', (ev: { name?: string }) => {
      if (ev.name !== 'DamageNotify') return;
      damage.Subtract(id, 0, 0);
      for (const l of this.damageListeners) l();
    });
    this.client.on('error', (err: Error) => this.close(err));
    this.socket.on('close', () => this.close());
    this.socket.on('error', (err) => this.close(err));
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
