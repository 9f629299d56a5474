import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { detectCgroups, SessionCgroup, STARTING_WEIGHT } from './cgroups.ts';

// A directory tree shaped like /sys/fs/cgroup: enough to check detection and the limit files
// written; the kernel semantics themselves are proven by the sandbox integration suite.
let root: string;
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));
const mk = (p: string, files: Record<string, string> = {}) => {
  fs.mkdirSync(path.join(root, p), { recursive: true });
  for (const [f, v] of Object.entries(files)) fs.writeFileSync(path.join(root, p, f), v);
};
const read = (p: string) => fs.readFileSync(path.join(root, p), 'utf8');
const limits = { memoryBytes: 256 * 2 ** 20, pids: 64, cpu: 0.5 };

describe('cgroups', () => {
  it('uses v2 when the unified hierarchy has memory, pids and cpu, and writes every limit', () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'cg-'));
    mk('.', { 'cgroup.controllers': 'cpuset cpu io memory pids\n' });
    const support = detectCgroups(root, [], () => true);
    expect(support).toEqual({ version: 2, base: path.join(root, 'vitrine') });
    const cg = SessionCgroup.create(support, 'inst', 's1', limits);
    expect(cg.dirs).toEqual([path.join(root, 'vitrine', 'inst', 's1')]);
    expect(read('vitrine/inst/s1/memory.max')).toBe(String(256 * 2 ** 20));
    expect(read('vitrine/inst/s1/memory.swap.max')).toBe('0');
    expect(read('vitrine/inst/s1/memory.oom.group')).toBe('1');
    expect(read('vitrine/inst/s1/pids.max')).toBe('64');
    cg.started();
    expect(read('vitrine/inst/s1/cpu.max')).toBe('50000 100000');
    expect(read('vitrine/inst/cgroup.subtree_control')).toBe('+memory +pids +cpu');
  });

  it('on v2 as a service user, puts sessions beneath the subtree systemd delegated, moving itself into a leaf', () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'cg-'));
    mk('.', { 'cgroup.controllers': 'cpuset cpu io memory pids\n' });
    mk('system.slice/vitrine.service', {
      'cgroup.controllers': 'cpu memory pids\n',
      'cgroup.procs': '4242\n4243\n',
      'cgroup.subtree_control': '',
    });
    const own = path.join(root, 'system.slice/vitrine.service');
    const self = [{ controllers: [''], path: '/system.slice/vitrine.service' }];
    // The unified root belongs to root; the delegated group to the service's user.
    const support = detectCgroups(root, self, (dir) => dir === own);
    expect(support).toEqual({ version: 2, base: path.join(own, 'sessions'), delegated: own });
    SessionCgroup.create(support, 'inst', 's1', limits);
    // (A real cgroup.procs file takes one PID per write; the fake keeps the last.)
    expect(read('system.slice/vitrine.service/server/cgroup.procs')).toBe('4243');
    expect(read('system.slice/vitrine.service/cgroup.subtree_control')).toBe('+memory +pids +cpu');
    expect(read('system.slice/vitrine.service/sessions/inst/s1/pids.max')).toBe('64');
    expect(read('system.slice/vitrine.service/sessions/inst/cgroup.subtree_control')).toBe('+memory +pids +cpu');
  });

  it('on v2 without root or a delegated group, says how to run it', () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'cg-'));
    mk('.', { 'cgroup.controllers': 'cpu memory pids\n' });
    mk('user.slice', { 'cgroup.controllers': 'cpu memory pids\n', 'cgroup.procs': '' });
    const support = detectCgroups(root, [{ controllers: [''], path: '/user.slice' }], () => false);
    expect(support.version).toBe(0);
    expect(support.version === 0 && support.reason).toMatch(/Delegate=yes/);
  });

  it('falls back to v1 beneath its own groups on a hybrid host, and reports OOM kills', () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'cg-'));
    mk('.', { 'cgroup.controllers': '' });
    for (const c of ['memory', 'pids', 'cpu']) mk(c, { 'cgroup.procs': '' });
    const self = [
      { controllers: ['memory'], path: '/svc' },
      { controllers: ['pids'], path: '/' },
      { controllers: ['cpu'], path: '/' },
    ];
    const support = detectCgroups(root, self);
    expect(support).toEqual({
      version: 1,
      bases: { memory: path.join(root, 'memory/svc'), pids: path.join(root, 'pids'), cpu: path.join(root, 'cpu') },
    });
    const cg = SessionCgroup.create(support, 'inst', 's1', limits);
    expect(read('memory/svc/vitrine-inst/s1/memory.limit_in_bytes')).toBe(String(256 * 2 ** 20));
    expect(read('pids/vitrine-inst/s1/pids.max')).toBe('64');
    expect(read('cpu/vitrine-inst/s1/cpu.cfs_quota_us')).toBe(String(os.availableParallelism() * 100_000));
    cg.started();
    expect(read('cpu/vitrine-inst/s1/cpu.cfs_quota_us')).toBe('50000');
    expect(cg.procsFiles).toHaveLength(3);
    expect(cg.oomKills()).toBe(0);
    fs.writeFileSync(
      path.join(root, 'memory/svc/vitrine-inst/s1/memory.oom_control'),
      'oom_kill_disable 0\nunder_oom 0\noom_kill 2\n',
    );
    expect(cg.oomKills()).toBe(2);
  });

  it('weighs a starting session as several tasks on all cores until its app has drawn, and the instance as its sessions', () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'cg-'));
    mk('.', { 'cgroup.controllers': '' });
    for (const c of ['memory', 'pids', 'cpu']) mk(c, { 'cgroup.procs': '' });
    const v1 = detectCgroups(root, [{ controllers: ['memory', 'pids', 'cpu'], path: '/' }]);
    const a = SessionCgroup.create(v1, 'inst', 'a', limits);
    expect(read('cpu/vitrine-inst/a/cpu.shares')).toBe(String(STARTING_WEIGHT * 1024));
    SessionCgroup.create(v1, 'inst', 'b', limits);
    expect(read('cpu/vitrine-inst/cpu.shares')).toBe(String(2 * STARTING_WEIGHT * 1024));
    a.started();
    expect(read('cpu/vitrine-inst/a/cpu.shares')).toBe('1024');
    expect(read('cpu/vitrine-inst/cpu.shares')).toBe(String((STARTING_WEIGHT + 1) * 1024));

    fs.rmSync(root, { recursive: true, force: true });
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'cg-'));
    mk('.', { 'cgroup.controllers': 'cpu memory pids\n' });
    const v2 = SessionCgroup.create(
      detectCgroups(root, [], () => true),
      'inst',
      's',
      limits,
    );
    expect(read('vitrine/inst/s/cpu.weight')).toBe(String(STARTING_WEIGHT * 100));
    expect(read('vitrine/inst/s/cpu.max')).toBe(`${os.availableParallelism() * 100_000} 100000`);
    v2.started();
    expect(read('vitrine/inst/s/cpu.weight')).toBe('100');
    expect(read('vitrine/inst/s/cpu.max')).toBe('50000 100000');
    expect(read('vitrine/inst/cpu.weight')).toBe('100');
  });

  it('reports when neither version offers the controllers', () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'cg-'));
    mk('.', { 'cgroup.controllers': 'cpu' });
    const support = detectCgroups(root, [], () => true);
    expect(support.version).toBe(0);
    expect(() => SessionCgroup.create(support, 'i', 's', limits)).toThrow(/cgroups unavailable/);
  });
});
