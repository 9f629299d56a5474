import fs from 'node:fs';
import net from 'node:net';

/** Whatever the sandbox wrote before we read is stale: at most one pipe's worth is thrown away at open. */
const DRAIN_CHUNK = 65536;

/**
 * The read end of the pipe the session's sound sink writes PCM into (sound-server.ts). Opened
 * without following links and checked to be a pipe (it lies in a folder the sandbox can write
 * to); read without blocking a thread. Each chunk comes with the time it was read.
 */
export class SinkPipe {
  private readonly socket: net.Socket;
  private closed = false;

  private constructor(socket: net.Socket) {
    this.socket = socket;
  }

  static open(file: string, onChunk: (pcm: Buffer, at: number) => void, onError: (err: Error) => void): SinkPipe {
    const { O_RDONLY, O_NONBLOCK, O_NOFOLLOW } = fs.constants;
    const fd = fs.openSync(file, O_RDONLY | O_NONBLOCK | O_NOFOLLOW);
    try {
      if (!fs.fstatSync(fd).isFIFO()) throw new Error(`${file} is not a pipe`);
      drain(fd);
    } catch (err) {
      fs.closeSync(fd);
      throw err;
    }
    const socket = new net.Socket({ fd, readable: true, writable: false });
    const pipe = new SinkPipe(socket);
    socket.on('data', (pcm: Buffer) => onChunk(pcm, performance.now()));
    socket.on('error', (err) => {
      if (!pipe.closed) onError(err);
    });
    return pipe;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
  }
}

function drain(fd: number): void {
  const buf = Buffer.alloc(DRAIN_CHUNK);
  for (;;) {
    try {
      if (fs.readSync(fd, buf, 0, buf.length, null) < buf.length) return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EAGAIN') return;
      throw err;
    }
  }
}
