import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deriveKey } from './audit-key.ts';
import type { AuditTrail } from './audit-trail.ts';
import { hmacSeal } from './chain.ts';
import { CheckpointExporter, CheckpointFile } from './checkpoints.ts';

const master = Buffer.alloc(32, 3);
const trail = (id: string): AuditTrail => ({
  id,
  keyedFrom: 1,
  keyCheck: '',
  seal: hmacSeal(Buffer.alloc(32), 1),
  checkpointKey: (trailId) => deriveKey(master, `checkpoint v1\n${trailId}`),
});
const head = (seq: number) => ({ seq, hash: seq.toString(16).padStart(64, '0') });

let dir: string;
let file: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-checkpoints-'));
  file = path.join(dir, 'sub', 'checkpoints.jsonl');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('the checkpoint file', () => {
  it('appends signed lines (0600, its folder made) and reads them back as anchors', async () => {
    const f = new CheckpointFile(file, trail('t1'));
    expect(await f.read()).toEqual({ anchors: [], problem: null });
    await f.append(head(3), new Date('2026-11-22T10:00:00Z'));
    await f.append(head(9));
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const { anchors, problem } = await f.read();
    expect(problem).toBeNull();
    expect(anchors).toEqual([
      { ...head(3), at: '2026-11-22T10:00:00.000Z' },
      { ...head(9), at: expect.any(String) },
    ]);
    expect(JSON.parse(fs.readFileSync(file, 'utf8').split('\n')[0]!)).toEqual({
      trail: 't1',
      seq: 3,
      head: head(3).hash,
      at: '2026-11-22T10:00:00.000Z',
      sig: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });

  it('reports an edited line, a line that is no checkpoint and a line signed with another key', async () => {
    const f = new CheckpointFile(file, trail('t1'));
    await f.append(head(5));
    const good = fs.readFileSync(file, 'utf8');
    const edited = good.replace('"seq":5', '"seq":4');
    fs.writeFileSync(file, edited);
    expect((await f.read()).problem).toMatch(/line 1 of .* has a bad signature/);
    fs.writeFileSync(file, `${good}not json\n`);
    expect(await f.read()).toMatchObject({
      anchors: [{ seq: 5 }],
      problem: expect.stringMatching(/line 2 .* is not a checkpoint/),
    });
    const stranger = new CheckpointFile(file, { ...trail('t1'), checkpointKey: () => Buffer.alloc(32, 9) });
    expect((await stranger.read()).problem).toMatch(/bad signature/);
  });

  it("reports another trail's checkpoints (a replaced database, or a shared file)", async () => {
    await new CheckpointFile(file, trail('old')).append(head(40));
    const f = new CheckpointFile(file, trail('new'));
    await f.append(head(2));
    const r = await f.read();
    expect(r.anchors).toEqual([expect.objectContaining({ seq: 2 })]);
    expect(r.problem).toMatch(/also holds 1 checkpoint\(s\) of another audit trail \(old; the newest covers event 40/);
  });

  it('skips a last line cut short by a crash while it was written', async () => {
    const f = new CheckpointFile(file, trail('t1'));
    await f.append(head(5));
    fs.appendFileSync(file, '{"trail":"t1","seq":6,"he');
    expect(await f.read()).toMatchObject({ anchors: [{ seq: 5 }], problem: null });
  });
});

describe('the checkpoint exporter', () => {
  it('exports a head once, every N committed events, and the newest head when asked last', async () => {
    const f = new CheckpointFile(file, trail('t1'));
    let current = head(1);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let readStarted!: () => void;
    const reading = new Promise<void>((resolve) => (readStarted = resolve));
    let reads = 0;
    const exporter = new CheckpointExporter(
      f,
      async () => {
        const h = current;
        // The export every N events is still under way…
        if (++reads === 3) {
          readStarted();
          await gate;
        }
        return h;
      },
      { everyEvents: 10 },
      { error: () => {} },
    );
    await exporter.export();
    await exporter.export();
    expect((await f.read()).anchors.map((a) => a.seq)).toEqual([1]);
    current = head(5);
    exporter.afterAppend(5);
    current = head(11);
    exporter.afterAppend(11);
    await reading;
    // …when shutdown asks: its export runs after that one, so the newest head goes out too.
    current = head(12);
    const last = exporter.export();
    release();
    await last;
    expect((await f.read()).anchors.map((a) => a.seq)).toEqual([1, 11, 12]);
  });

  it('logs a failing export once per failing streak and never throws', async () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.mkdirSync(file); // a folder where the file should be: every append fails
    const errors: string[] = [];
    let n = 0;
    const exporter = new CheckpointExporter(
      new CheckpointFile(file, trail('t1')),
      async () => head(++n),
      { everyEvents: 1 },
      { error: (_obj, msg) => errors.push(msg) },
    );
    await exporter.export();
    await exporter.export();
    expect(errors).toEqual(['could not export an audit checkpoint']);
  });
});
