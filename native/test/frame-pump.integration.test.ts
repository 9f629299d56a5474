import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';

const NATIVE = path.resolve(import.meta.dirname, '..');
const PUMP = path.join(NATIVE, 'build', 'vitrine-frame-pump');
let dir: string;
let fb: string;
beforeAll(() => {
  execFileSync('make', ['-s', '-C', NATIVE]);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pump-'));
  fb = path.join(dir, 'fb');
  fs.writeFileSync(fb, Buffer.concat([Buffer.from('HEADER'), Buffer.alloc(4096, 1)]));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const alive = (pid: number) => {
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]![0] !== 'Z';
  } catch {
    return false;
  }
};

it('writes the current framebuffer contents once per request and acknowledges each', async () => {
  const out = path.join(dir, 'out');
  const pump = spawn(PUMP, [fb, '6', '4096', '--', 'sh', '-c', `cat > ${out}`], { stdio: ['pipe', 'pipe', 'inherit'] });
  const acks: number[] = [];
  pump.stdout!.on('data', (d: Buffer) => acks.push(d.length));
  const ack = () => new Promise<void>((r) => pump.stdout!.once('data', () => r()));
  pump.stdin!.write('f');
  await ack();
  // The frame is read from the file at request time: a change shows in the next frame.
  const fd = fs.openSync(fb, 'r+');
  fs.writeSync(fd, Buffer.alloc(4096, 2), 0, 4096, 6);
  fs.closeSync(fd);
  pump.stdin!.write('f');
  await ack();
  pump.stdin!.end();
  const code = await new Promise((r) => pump.on('exit', r));
  expect(code).toBe(0);
  const written = fs.readFileSync(out);
  expect(written.length).toBe(8192);
  expect(written.subarray(0, 4096).every((b) => b === 1)).toBe(true);
  expect(written.subarray(4096).every((b) => b === 2)).toBe(true);
  expect(acks.reduce((a, b) => a + b, 0)).toBe(2);
});

it('writes only a region: ROWS lines of ROW_BYTES taken STRIDE bytes apart, as one frame', async () => {
  // A 4x3 "screen" of 4-byte pixels after a 5-byte header; pixel (x, y) holds the byte 16y + x.
  const screen = path.join(dir, 'screen');
  const pixels = Buffer.alloc(4 * 3 * 4);
  for (let y = 0; y < 3; y++) for (let x = 0; x < 4; x++) pixels.fill(16 * y + x, (y * 4 + x) * 4, (y * 4 + x + 1) * 4);
  fs.writeFileSync(screen, Buffer.concat([Buffer.from('HEADR'), pixels]));
  const out = path.join(dir, 'region');
  // The top-left 2x2 pixels: 2 rows of 8 bytes, 16 bytes apart.
  const pump = spawn(PUMP, [screen, '5', '16', '8', '2', '--', 'sh', '-c', `cat > ${out}`], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const acked = new Promise<void>((r) => pump.stdout!.once('data', () => r()));
  pump.stdin!.write('f');
  await acked;
  pump.stdin!.end();
  expect(await new Promise((r) => pump.on('exit', r))).toBe(0);
  const expected = [0, 1, 16, 17].flatMap((v) => [v, v, v, v]);
  expect([...fs.readFileSync(out)]).toEqual(expected);
});

it('refuses a region that reaches beyond the file, or rows wider than the stride', () => {
  const run = (args: string[]) => spawn(PUMP, args, { stdio: 'ignore' });
  const codes = [
    run([fb, '6', '1024', '1024', '5', '--', 'true']), // 5 rows of 1 KiB in a 4 KiB file
    run([fb, '6', '16', '32', '2', '--', 'true']), // rows wider than the stride
    run([fb, '6', '16', '8', '-1', '--', 'true']),
    run([fb, '6', '16', '8', '2x', '--', 'true']),
  ].map((p) => new Promise((r) => p.on('exit', r)));
  return expect(Promise.all(codes)).resolves.toEqual([125, 125, 125, 125]);
});

it('exits with the encoder status, and kills the encoder when it is killed', async () => {
  const failing = spawn(PUMP, [fb, '6', '4096', '--', 'sh', '-c', 'exit 7'], { stdio: 'ignore' });
  expect(await new Promise((r) => failing.on('exit', r))).toBe(7);

  const pump = spawn(PUMP, [fb, '6', '4096', '--', 'sleep', '30'], { stdio: ['pipe', 'ignore', 'inherit'] });
  let child = 0;
  for (let i = 0; i < 200 && !child; i++) {
    await new Promise((r) => setTimeout(r, 10));
    child = Number(fs.readFileSync(`/proc/${pump.pid}/task/${pump.pid}/children`, 'utf8').trim() || 0);
  }
  expect(alive(child)).toBe(true);
  pump.kill('SIGKILL');
  await new Promise((r) => pump.on('exit', r));
  for (let i = 0; i < 200 && alive(child); i++) await new Promise((r) => setTimeout(r, 10));
  expect(alive(child)).toBe(false);
});

it('refuses bad arguments and a missing file with exit 125', () => {
  const run = (args: string[]) => spawn(PUMP, args, { stdio: 'ignore' });
  const codes = [
    run([]),
    run([path.join(dir, 'missing'), '0', '10', '--', 'true']),
    run([fb, '0', '0', '--', 'true']),
  ].map((p) => new Promise((r) => p.on('exit', r)));
  return expect(Promise.all(codes)).resolves.toEqual([125, 125, 125]);
});
