import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { hostNodeRuntime } from '../../../server/src/sandbox/sandbox.ts';
import { AttackHarness } from '../../../server/test/sandbox/attack-harness.ts';
import { makeDocx, makeHostileOdt, makeZipBomb } from '../../../e2e/lib/office-files.ts';

// The explorer server and its LibreOffice in a real session sandbox (the manifest's limits: 768 MiB,
// 256 tasks), on an edit share: the hostile document's macro could write there and its linked image
// points at a listener on the sandbox's own loopback, which LibreOffice could reach. Neither happens.
// (office.integration.test.ts shows the same macro does write its file when macros are allowed.)
const h = new AttackHarness();
let inbox: string;
beforeAll(async () => {
  await h.init();
  for (const dir of ['server', 'office']) {
    fs.cpSync(path.resolve(import.meta.dirname, '..', dir), path.join(h.appDir, dir), { recursive: true });
  }
  inbox = h.dir('inbox');
  await makeDocx(path.join(inbox, 'Report.docx'), 30);
  makeHostileOdt(path.join(inbox, 'Hostile.odt'), '/files/Inbox/macro-ran.txt', 'http://127.0.0.1:9555/image.png');
  makeZipBomb(path.join(inbox, 'Bomb.docx'), 2);
}, 60_000);
afterAll(() => h.cleanup());

const client = `
  const net = require('node:net');
  let hits = 0;
  const trap = net.createServer((s) => { hits++; s.destroy(); }).listen(9555, '127.0.0.1');
  (async () => {
    for (const name of ['Report.docx', 'Hostile.odt', 'Bomb.docx']) {
      const t = Date.now();
      const r = await fetch('http://127.0.0.1:8123/api/office/pdf?path=/files/Inbox/' + name);
      const body = Buffer.from(await r.arrayBuffer());
      console.log('RESULT ' + name + ' ' + r.status + ' ' + (r.status === 200 ? body.subarray(0, 5).toString() : body.toString()) + ' ' + (Date.now() - t) + 'ms');
    }
    // Give an asynchronous macro or image fetch every chance to happen before looking.
    await new Promise((r) => setTimeout(r, 2000));
    console.log('HITS ' + hits);
    trap.close();
  })();`;

const script = `node /app/server/main.ts --port 8123 --root /files --ready-file /tmp/ready >/dev/null 2>/tmp/server.log &
  while [ ! -s /tmp/ready ]; do sleep 0.02; done
  node -e '${client.replaceAll("'", "'\\''")}'
  for p in /proc/[0-9]*; do
    if tr '\\0' ' ' < $p/cmdline 2>/dev/null | grep -q '^/usr/lib/libreoffice/program/soffice.bin'; then
      echo "SOFFICE oom_score_adj=$(cat $p/oom_score_adj) nice=$(cut -d' ' -f19 $p/stat) threads=$(ls $p/task | wc -l) $(grep -E '^(VmData|VmHWM|VmRSS)' $p/status | tr -s ' \t\n' ' ')"
      grep 'Max data' $p/limits
    fi
  done
  echo "TASKS $(ls -d /proc/[0-9]*/task/* | wc -l)"
  echo "FILES $(ls /files/Inbox | tr '\\n' ' ')"
  cat /tmp/server.log`;

it('converts in the sandbox; the hostile document neither runs its macro nor fetches its image; a bomb is refused', async () => {
  const { output } = await h.run(script, {
    syscalls: 'browser',
    nodeRuntime: hostNodeRuntime(),
    loopbackTcp: true,
    limits: { memoryBytes: 768 * 2 ** 20, pids: 256 },
    grants: [{ hostPath: inbox, sandboxPath: '/files/Inbox', access: 'read-write' }],
    timeoutMs: 150_000,
  });
  if (!output.includes('RESULT Report.docx 200')) console.log(output);
  const line = (prefix: string) =>
    output.split('\n').find((l) => l.startsWith(prefix)) ?? `(no ${prefix} in) ${output}`;
  expect(line('RESULT Report.docx')).toMatch(/ 200 %PDF- /);
  expect(line('RESULT Hostile.odt')).toMatch(/ 200 %PDF- /);
  expect(line('RESULT Bomb.docx')).toMatch(/ 413 .*too-large/);
  expect(line('HITS')).toBe('HITS 0');
  expect(fs.existsSync(path.join(inbox, 'macro-ran.txt'))).toBe(false);
  // Nothing else appeared in the share either (no lock files, no converted copies).
  expect(fs.readdirSync(inbox).sort()).toEqual(['Bomb.docx', 'Hostile.odt', 'Report.docx']);
  // Landlock keeps /proc read-only, so oom_score_adj stays 0 in a session; the data limit holds instead.
  expect(line('SOFFICE')).toMatch(/ nice=10 /);
  expect(line('Max data size')).toMatch(/^Max data size\s+536870912\s+536870912 /);
  const tasks = Number(/TASKS (\d+)/.exec(line('TASKS'))?.[1]);
  expect(tasks).toBeLessThan(256);
}, 200_000);
