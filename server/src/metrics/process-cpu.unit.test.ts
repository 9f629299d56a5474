import { describe, expect, it } from 'vitest';
import { CpuTotal, parseProcStat, readProcessCpu } from './process-cpu.ts';

/** A /proc/<pid>/stat line with these name, utime, stime and starttime (other fields as Linux has them). */
const stat = (name: string, utime: number, stime: number, start: number) =>
  `4242 (${name}) S 1 4242 4242 0 -1 4194560 1200 0 0 0 ${utime} ${stime} 0 0 20 0 3 0 ${start} 123456789 2000 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0`;

describe('/proc CPU readings', () => {
  it('read the name, start and CPU seconds, whatever the name holds', () => {
    expect(parseProcStat(stat('ffmpeg', 250, 50, 9000))).toEqual({ name: 'ffmpeg', startTicks: 9000, seconds: 3 });
    // A command may name itself with spaces and parentheses: fields are counted from the last ")".
    expect(parseProcStat(stat('a) (b c', 1, 1, 7))).toEqual({ name: 'a) (b c', startTicks: 7, seconds: 0.02 });
    expect(parseProcStat('garbage')).toBeUndefined();
  });

  it('read this process, and nothing for one that does not exist', () => {
    expect(readProcessCpu(process.pid)?.seconds).toBeGreaterThan(0);
    expect(readProcessCpu(999_999_999)).toBeUndefined();
  });

  it('total a changing set of processes without ever going down', () => {
    const total = new CpuTotal();
    const p = (pid: number, seconds: number, startTicks = 1) => ({ pid, cpu: { name: 'ffmpeg', startTicks, seconds } });
    expect(total.update([p(10, 1), p(11, 2)])).toBe(3);
    expect(total.update([p(10, 1.5), p(11, 2.5)])).toBe(4);
    // 11 exited: what it was last seen using stays in the total.
    expect(total.update([p(10, 2)])).toBe(4.5);
    // PID 10 reused by a new encoder (another start time): the old one's 2 s stay, the new one adds its own.
    expect(total.update([p(10, 0.25, 99)])).toBe(4.75);
    expect(total.update([])).toBe(4.75);
  });
});
