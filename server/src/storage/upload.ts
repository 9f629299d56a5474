import fs from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { DomainError } from '../errors.ts';

/**
 * Streams a request body into a new file, calling `check` with the running byte count before
 * each chunk is written so a limit stops the upload at once. The body is not destroyed when a
 * limit is hit: the HTTP layer can still answer 413 before the connection goes away. The caller
 * removes `target` whatever happens.
 */
export async function receiveInto(body: Readable, target: string, check: (bytes: number) => void): Promise<number> {
  const file = await fs.open(target, 'wx', 0o600);
  try {
    let bytes = 0;
    for await (const chunk of body.iterator({ destroyOnReturn: false })) {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Uint8Array);
      bytes += buffer.byteLength;
      check(bytes);
      for (let done = 0; done < buffer.byteLength;) done += (await file.write(buffer, done)).bytesWritten;
    }
    // A request cut short ends its stream without an error on some paths; a partial file is no file.
    if ('complete' in body && body.complete === false) {
      throw new DomainError(400, 'upload-aborted', 'the upload was cut short');
    }
    await file.sync();
    return bytes;
  } finally {
    await file.close();
  }
}
