// `make doctor`: reports what this host offers for sandboxing sessions, and what is missing.
import { loadConfig } from './config/config.ts';
import { volumeReadiness } from './encryption/volume.ts';
import { inspectHost } from './sandbox/host.ts';

const config = loadConfig();
const r = inspectHost(config.sandbox.bwrapPath);
const rows: Array<[string, boolean, string]> = [
  [
    'user namespaces',
    r.userNamespaces,
    r.userNamespaces ? 'enabled' : 'disabled (/proc/sys/user/max_user_namespaces is 0)',
  ],
  ['bubblewrap', !!r.bubblewrap, r.bubblewrap ?? `not found at "${config.sandbox.bwrapPath}"`],
  ['sandbox init helper', r.initHelper, r.initHelper ? 'built' : 'missing: run make'],
  ['Landlock', r.landlock === 'enforced', r.landlockDetail],
  ['seccomp', r.seccomp, r.seccomp ? 'available' : 'unavailable'],
  [
    'cgroups',
    r.cgroups.version !== 0,
    r.cgroups.version === 2
      ? `v2, session groups under ${r.cgroups.base}`
      : r.cgroups.version === 1
        ? `v1 (memory, pids, cpu), session groups under ${Object.values(r.cgroups.bases).join(', ')}`
        : r.cgroups.reason,
  ],
];
const atRest = config.encryption.enabled
  ? await volumeReadiness(config.encryption.dataDir)
  : { ok: true, detail: 'off (ENCRYPTION=off): data is stored in the clear' };
rows.push(['encryption at rest', atRest.ok, atRest.detail]);
for (const [name, ok, detail] of rows) console.log(`${ok ? 'ok  ' : 'FAIL'}  ${name.padEnd(20)} ${detail}`);
const fatal = rows.filter(([, ok]) => !ok);
console.log(
  fatal.length
    ? `\n${fatal.length} problem(s): sessions will not start unless SANDBOX_ALLOW_DEGRADED=1 (where allowed); ` +
        'the server does not start without encryption at rest unless ENCRYPTION=off.'
    : '\nThis host can run fully confined sessions.',
);
process.exit(fatal.length ? 1 : 0);
