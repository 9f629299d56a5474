import { describe, expect, it } from 'vitest';
import type { RuntimeSpec } from '../launch/plan.ts';
import type { LateGrants } from '../sandbox/late-grants.ts';
import type { Grant, SandboxHandle, SandboxPolicy } from '../sandbox/sandbox.ts';
import { warmKey, WarmPool, type WarmSandbox, type WarmTemplate } from './warm-pool.ts';

const policy = (over: Partial<SandboxPolicy> = {}): SandboxPolicy =>
  ({
    sessionDir: '/run/vitrine/sessions/x',
    appDir: '/run/vitrine/apps/abc',
    binary: 'run.sh',
    args: [],
    openPath: null,
    display: { width: 1920, height: 1080 },
    window: { width: 1280, height: 720 },
    grants: [],
    loopbackTcp: true,
    audio: true,
    syscalls: 'browser',
    nodeRuntime: '/opt/node',
    etcFiles: {},
    controlSocket: true,
    writeBudget: null,
    limits: { memoryBytes: 768 * 2 ** 20, pids: 256, cpu: 1 },
    ...over,
  }) as SandboxPolicy;

const read = (sandboxPath: string): Grant => ({ hostPath: `/srv${sandboxPath}`, sandboxPath, access: 'read' });
const spec = (p: SandboxPolicy) => ({ sessionId: 's', policy: p }) as RuntimeSpec;
const below = (access: Grant['access']): LateGrants => ({ access, atFiles: false });

/** A fake warm sandbox: only what the pool touches. */
function fakeWarm(t: WarmTemplate, p: SandboxPolicy) {
  let exit!: () => void;
  const exited = new Promise<void>((r) => (exit = r));
  const w = {
    dir: p.sessionDir,
    appId: t.appId,
    late: t.late,
    key: warmKey(p),
    sandbox: { exited } as unknown as SandboxHandle,
    control: undefined,
    destroyed: 0,
    released: 0,
    destroy: async () => void w.destroyed++,
    release: () => void w.released++,
    exit,
  };
  return w satisfies WarmSandbox;
}

function pool(size = 1, template = policy(), kinds: LateGrants[] = [below('read')], busy?: () => boolean) {
  const started: Array<ReturnType<typeof fakeWarm>> = [];
  let current = template;
  const p = new WarmPool({
    size,
    busy,
    quietMs: 100,
    sessionsDir: '/run/vitrine/sessions',
    log: { info: () => {}, warn: () => {} },
    refillDelayMs: 0,
    retryDelayMs: 0,
    templates: () =>
      kinds.map((late) => ({
        appId: 'file-explorer',
        late,
        policy: (dir) => ({ ...current, sessionDir: dir }),
      })),
    start: async (t, pol) => {
      const w = fakeWarm(t, pol);
      started.push(w);
      return w;
    },
  });
  return { p, started, setTemplate: (t: SandboxPolicy) => (current = t) };
}

describe('warm sandboxes', () => {
  it('the key ignores what a session brings, and nothing else', () => {
    const base = warmKey(policy());
    expect(warmKey(policy({ sessionDir: '/elsewhere', grants: [read('/files/a')], openPath: '/files/a/b.pdf' }))).toBe(
      base,
    );
    expect(warmKey(policy({ appDir: '/run/vitrine/apps/def' }))).not.toBe(base);
    expect(warmKey(policy({ limits: { memoryBytes: 1, pids: 1, cpu: 1 } }))).not.toBe(base);
    expect(warmKey(policy({ display: { width: 1440, height: 900 } }))).not.toBe(base);
  });
});

describe('the warm pool', () => {
  it('keeps its size, gives a fitting session one sandbox once, and starts the next', async () => {
    const { p, started } = pool(1);
    await p.fill();
    expect(started).toHaveLength(1);
    expect(p.size).toBe(1);
    const session = spec(policy({ sessionDir: '/run/vitrine/sessions/s', grants: [read('/files/Reports')] }));
    const taken = p.take(session);
    expect(taken).toBe(started[0]);
    expect(started[0]!.released).toBe(1);
    expect(p.take(session)).toBeUndefined(); // never handed out twice
    await expect.poll(() => p.size).toBe(1); // refilled
    expect(started).toHaveLength(2);
    expect(p.counts).toEqual({ taken: 1, missed: 1 });
    await p.close();
    expect(started[1]!.destroyed).toBe(1);
    expect(started[0]!.destroyed).toBe(0); // its session tears it down, not the pool
  });

  it('gives each session one of its own kind, never another', async () => {
    const own = { access: 'read-write-delete', atFiles: true } as const;
    const { p, started } = pool(1, policy(), [below('read'), below('read-write'), own]);
    await p.fill();
    expect(started.map((w) => w.late)).toEqual([below('read'), below('read-write'), own]);
    const editor = spec(policy({ grants: [{ ...read('/files/a'), access: 'read-write' }] }));
    expect(p.take(editor)?.late).toEqual(below('read-write'));
    expect(p.take(editor)).toBeUndefined();
    expect(p.take(spec(policy({ grants: [{ ...read('/files/a'), access: 'read-write-delete' }] })))).toBeUndefined();
    // An owner's own storage, at /files itself: the one started for it, and only that.
    const owner = spec(policy({ grants: [{ ...read('/files'), access: 'read-write-delete' }] }));
    expect(p.take(owner)?.late).toEqual(own);
    expect(p.take(owner)).toBeUndefined();
    expect(p.take(spec(policy({ grants: [read('/files/a')] })))?.late).toEqual(below('read'));
    await p.close();
  });

  it('does not give one to a session it does not fit', async () => {
    const { p } = pool(1);
    await p.fill();
    expect(p.take(spec(policy({ grants: [{ ...read('/files/a'), access: 'read-write-delete' }] })))).toBeUndefined();
    expect(p.take(spec(policy({ appDir: '/run/vitrine/apps/other' })))).toBeUndefined();
    expect(p.size).toBe(1);
    await p.close();
  });

  it('replaces one that exited while waiting, and those of an app reloaded since', async () => {
    const { p, started, setTemplate } = pool(1);
    await p.fill();
    started[0]!.exit();
    await expect.poll(() => started.length).toBe(2);
    expect(started[0]!.destroyed).toBe(1);
    setTemplate(policy({ appDir: '/run/vitrine/apps/new' }));
    await p.fill();
    expect(started[1]!.destroyed).toBe(1);
    expect(started).toHaveLength(3);
    expect(started[2]!.key).toBe(warmKey(policy({ appDir: '/run/vitrine/apps/new' })));
    await p.close();
  });

  it('starts one only once no session’s app has been starting for a while', async () => {
    let busy = true;
    const { p, started } = pool(1, policy(), [below('read')], () => busy);
    const filled = p.fill();
    await new Promise((r) => setTimeout(r, 300));
    expect(started).toHaveLength(0); // a launch is starting: nothing beside it
    busy = false;
    const quietAt = Date.now();
    await filled;
    expect(started).toHaveLength(1);
    expect(Date.now() - quietAt).toBeGreaterThanOrEqual(100);
    await p.close();
  });

  it('starts none with size 0', async () => {
    const { p, started } = pool(0);
    await p.fill();
    expect(started).toHaveLength(0);
    expect(p.take(spec(policy()))).toBeUndefined();
  });
});
