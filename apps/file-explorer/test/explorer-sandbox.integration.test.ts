import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { hostNodeRuntime } from '../../../server/src/sandbox/sandbox.ts';
import { AttackHarness } from '../../../server/test/sandbox/attack-harness.ts';

// The explorer itself, in a real session sandbox, is asked to change a view-only share: whatever
// its UI would or would not offer, the kernel refuses, and the explorer reports that refusal.
const h = new AttackHarness();
let viewDir: string;
let editDir: string;
beforeAll(async () => {
  await h.init();
  fs.cpSync(path.resolve(import.meta.dirname, '../server'), path.join(h.appDir, 'server'), { recursive: true });
  viewDir = h.dir('reports', { 'q3.txt': 'revenue up' });
  editDir = h.dir('inbox', { 'draft.txt': 'draft' });
});
afterAll(() => h.cleanup());

/** A script that starts the explorer server and sends it one JSON POST per line of `calls`. */
function script(calls: Array<[string, object]>): string {
  const client = `
    const calls = ${JSON.stringify(calls)};
    (async () => {
      for (const [url, body] of calls) {
        const r = await fetch('http://127.0.0.1:8123' + url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
        console.log(url + ' ' + JSON.stringify(body) + ' => ' + r.status + ' ' + (await r.text()));
      }
    })();`;
  return `node /app/server/main.ts --port 8123 --ready-file /tmp/ready >/dev/null 2>&1 &
    while [ ! -s /tmp/ready ]; do sleep 0.02; done
    node -e '${client.replaceAll("'", "'\\''")}'`;
}

it('the kernel refuses the explorer every change on a view-only share; the same change works on an edit share', async () => {
  const { output } = await h.run(
    script([
      ['/api/folders', { path: '/files/Reports/New' }],
      ['/api/move', { from: '/files/Reports/q3.txt', to: '/files/Reports/q4.txt' }],
      ['/api/folders', { path: '/files/Inbox/Made' }],
    ]),
    {
      syscalls: 'browser',
      nodeRuntime: hostNodeRuntime(),
      loopbackTcp: true,
      grants: [
        { hostPath: viewDir, sandboxPath: '/files/Reports', access: 'read' },
        { hostPath: editDir, sandboxPath: '/files/Inbox', access: 'read-write' },
      ],
    },
  );
  const lines = output.split('\n').filter((l) => l.includes(' => '));
  expect(lines).toHaveLength(3);
  expect(lines[0]).toMatch(/=> 403 .*"error":"denied".*"code":"(EROFS|EACCES)"/);
  expect(lines[1]).toMatch(/=> 403 .*"error":"denied".*"code":"(EROFS|EACCES)"/);
  // The edit share allows creating: the same request succeeds there.
  expect(lines[2]).toMatch(/=> 201/);
  expect(fs.existsSync(path.join(viewDir, 'New'))).toBe(false);
  expect(fs.readdirSync(viewDir)).toEqual(['q3.txt']);
  expect(fs.statSync(path.join(editDir, 'Made')).isDirectory()).toBe(true);
}, 60_000);
