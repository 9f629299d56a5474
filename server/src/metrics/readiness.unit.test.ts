import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Readiness, volumeMounted } from './readiness.ts';

const answers = () => Promise.resolve([]);

describe('readiness', () => {
  it('is ready when the database answers and the volume is there', async () => {
    expect(await new Readiness({ pingDatabase: answers, volumeMounted: () => true }).check()).toBe('ready');
    expect(await new Readiness({ pingDatabase: answers, volumeMounted: null }).check()).toBe('ready');
  });

  it('is not ready while stopping, without its volume, or with a database that fails or is slow', async () => {
    const stopping = new Readiness({ pingDatabase: answers, volumeMounted: null });
    stopping.stopping = true;
    expect(await stopping.check()).toBe('stopping');
    expect(await new Readiness({ pingDatabase: answers, volumeMounted: () => false }).check()).toBe('volume');
    const closed = () => Promise.reject(new Error('driver has already been destroyed'));
    expect(await new Readiness({ pingDatabase: closed, volumeMounted: null }).check()).toBe('database');
    const hangs = () => new Promise(() => {});
    expect(await new Readiness({ pingDatabase: hangs, volumeMounted: null, timeoutMs: 20 }).check()).toBe('database');
  });

  it('says stopping when stopping began while the database answered', async () => {
    const readiness = new Readiness({
      pingDatabase: async () => {
        readiness.stopping = true;
      },
      volumeMounted: null,
    });
    expect(await readiness.check()).toBe('stopping');
  });
});

describe('the encrypted volume’s presence', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('is a mount for a loop volume, a folder for a native one', () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-volume-'));
    expect(volumeMounted({ root: dir, kind: 'native' })).toBe(true);
    expect(volumeMounted({ root: path.join(dir, 'gone'), kind: 'native' })).toBe(false);
    // A folder is not a mount point; /proc is one on every Linux.
    expect(volumeMounted({ root: dir, kind: 'loop' })).toBe(false);
    expect(volumeMounted({ root: '/proc', kind: 'loop' })).toBe(true);
    expect(volumeMounted({ root: path.join(dir, 'gone'), kind: 'loop' })).toBe(false);
  });
});
