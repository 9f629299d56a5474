import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';
import { hostResources, sessionCapacity } from './host-capacity.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error(`expected ConfigError for ${JSON.stringify(env)}`);
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('loadConfig defaults', () => {
  it('uses the documented defaults for an empty environment', () => {
    const c = loadConfig({});
    expect(c.http.port).toBe(8080);
    expect(c.http.host).toBe('127.0.0.1');
    expect(c.http.publicUrl).toBe('http://localhost:8080');
    expect(c.webrtc.iceAddresses).toEqual(['127.0.0.1']);
    expect(c.webrtc.udpPorts).toBeUndefined();
    expect(c.webrtc.publicIp).toBeUndefined();
    expect(c.webrtc.iceServers).toEqual([]);
    expect(c.sessions.maxSessions).toBe(sessionCapacity(hostResources()));
    expect(c.sessions.inputRatePerSecond).toBe(400);
    expect(c.sandbox.allowDegraded).toBe(false);
    expect(c.sandbox.limits.memoryBytes).toBe(512 * 2 ** 20);
    expect(c.sandbox.limits.pids).toBe(256);
    expect(c.sandbox.limits.cpu).toBe(1);
    expect(c.http.logLevel).toBe('info');
    // Mail is off unless SMTP_URL and MAIL_FROM are set: invitation links are only shown.
    expect(c.mail).toBeNull();
  });

  it('resolves default folders relative to the repository, not the working directory', () => {
    const c = loadConfig({});
    expect(c.apps.root).toBe(path.join(repoRoot, 'apps'));
    expect(c.encryption).toMatchObject({ enabled: true, dataDir: path.join(repoRoot, 'var'), volumeSizeBytes: null });
    // Encrypted, the database and files are on the volume in DATA_DIR; the operator's socket is not.
    expect(c.database.dataDir).toBe(path.join(repoRoot, 'var', 'volume', 'system'));
    expect(c.storage.dir).toBe(path.join(repoRoot, 'var', 'volume', 'storage'));
    expect(c.recordings.dir).toBe(path.join(repoRoot, 'var', 'volume', 'recordings'));
    expect(c.adminSocket).toBe(path.join(repoRoot, 'var', 'admin.sock'));
    expect(c.http.webDist).toBe(path.join(repoRoot, 'web', 'dist'));
    if (process.platform === 'linux') expect(c.sandbox.runtimeDir).toBe('/dev/shm/vitrine');
  });

  it('resolves relative directories given in the environment to absolute paths', () => {
    const c = loadConfig({ RUNTIME_DIR: 'rt', DATA_DIR: './data', APPS_ROOT: 'my-apps' });
    expect(c.sandbox.runtimeDir).toBe(path.resolve('rt'));
    expect(c.encryption.dataDir).toBe(path.resolve('data'));
    expect(loadConfig({ DATA_DIR: './data', ENCRYPTION: 'off' }).database.dataDir).toBe(path.resolve('data'));
    expect(c.apps.root).toBe(path.resolve('my-apps'));
  });

  it('reads only the environment object it is given', () => {
    vi.stubEnv('PORT', '1234');
    vi.stubEnv('HOST', '0.0.0.0');
    vi.stubEnv('ALLOW_INSECURE_HTTP', '1');
    expect(loadConfig({}).http.port).toBe(8080);
    expect(loadConfig({}).http.host).toBe('127.0.0.1');
    expect(loadConfig().http.port).toBe(1234);
  });

  it('ignores unrelated environment variables', () => {
    expect(() => loadConfig({ PATH: '/usr/bin', HOME: '/root', SOMETHING_ELSE: '{' })).not.toThrow();
  });
});

describe('loadConfig WEBRTC_ICE_ADDRESSES', () => {
  it('"all" means every interface (null)', () => {
    expect(loadConfig({ WEBRTC_ICE_ADDRESSES: 'all' }).webrtc.iceAddresses).toBeNull();
    expect(loadConfig({ WEBRTC_ICE_ADDRESSES: '  all ' }).webrtc.iceAddresses).toBeNull();
  });

  it('splits a comma-separated list and trims entries', () => {
    expect(loadConfig({ WEBRTC_ICE_ADDRESSES: ' 10.0.0.1 ,,::1' }).webrtc.iceAddresses).toEqual(['10.0.0.1', '::1']);
  });

  it('rejects more than one address per family, names and empty lists', () => {
    expect(configError({ WEBRTC_ICE_ADDRESSES: '10.0.0.1,10.0.0.2' }).message).toMatch(
      /WEBRTC_ICE_ADDRESSES: .*one IPv4/,
    );
    expect(configError({ WEBRTC_ICE_ADDRESSES: 'eth0' }).message).toMatch(/"eth0" is not an IP address/);
    expect(configError({ WEBRTC_ICE_ADDRESSES: ',' }).message).toMatch(/WEBRTC_ICE_ADDRESSES/);
  });
});

describe('loadConfig PUBLIC_URL', () => {
  it('is derived from HOST and PORT, as localhost for loopback and wildcard hosts (passkeys need a name)', () => {
    const proxied = { ALLOW_INSECURE_HTTP: '1' };
    expect(loadConfig({ ...proxied, HOST: '0.0.0.0', PORT: '9000' }).http.publicUrl).toBe('http://localhost:9000');
    expect(loadConfig({ HOST: '::1' }).http.publicUrl).toBe('http://localhost:8080');
    expect(loadConfig({ ...proxied, HOST: 'example.test' }).http.publicUrl).toBe('http://example.test:8080');
  });

  it('brackets an IPv6 host', () => {
    expect(loadConfig({ ALLOW_INSECURE_HTTP: '1', HOST: 'fd00::5', PORT: '443' }).http.publicUrl).toBe(
      'http://[fd00::5]:443',
    );
  });

  it('keeps an explicit PUBLIC_URL as its origin', () => {
    expect(loadConfig({ PUBLIC_URL: 'https://vitrine.example.com/', HOST: '::1' }).http.publicUrl).toBe(
      'https://vitrine.example.com',
    );
  });

  it('rejects a PUBLIC_URL with a path', () => {
    expect(configError({ PUBLIC_URL: 'https://example.com/vitrine' }).message).toMatch(/PUBLIC_URL: expected an http/);
  });

  it('reads sizes and durations of accounts and storage', () => {
    const c = loadConfig({ OWNER_QUOTA: '1G', SIGNIN_IDLE_TIMEOUT: '15m', SIGNIN_MAX_AGE: '1d' });
    expect(c.storage.quotaBytes).toBe(2 ** 30);
    expect(c.auth.signInIdleTimeoutMs).toBe(15 * 60_000);
    expect(c.auth.signInMaxAgeMs).toBe(86_400_000);
    expect(configError({ SIGNIN_MAX_AGE: '12 hours' }).message).toMatch(/SIGNIN_MAX_AGE: expected a duration/);
  });

  it('rejects a PUBLIC_URL that is not a URL', () => {
    expect(configError({ PUBLIC_URL: 'not a url' }).message).toMatch(/PUBLIC_URL: /);
  });
});

describe('loadConfig validation', () => {
  it('accepts a port range and parses it to numbers', () => {
    expect(loadConfig({ WEBRTC_UDP_PORTS: '50000-50100' }).webrtc.udpPorts).toEqual([50000, 50100]);
  });

  it.each([['abc'], ['70000'], ['-1'], ['80.5']])('rejects PORT=%s naming the variable', (port) => {
    const e = configError({ PORT: port });
    expect(e.message).toMatch(/^invalid configuration:/);
    expect(e.message).toMatch(/^ {2}PORT: /m);
  });

  it('rejects WEBRTC_UDP_PORTS without a range', () => {
    const e = configError({ WEBRTC_UDP_PORTS: '5000' });
    expect(e.message).toMatch(/WEBRTC_UDP_PORTS: expected MIN-MAX/);
  });

  it.each([['6000-5000'], ['5000-5000'], ['80-5000'], ['50000-70000']])(
    'rejects WEBRTC_UDP_PORTS=%s as out of order or out of range',
    (range) => {
      expect(configError({ WEBRTC_UDP_PORTS: range }).message).toMatch(/WEBRTC_UDP_PORTS: ports must satisfy/);
    },
  );

  it('rejects ICE_SERVERS that is not JSON', () => {
    expect(configError({ ICE_SERVERS: 'stun:stun.example.com' }).message).toMatch(
      /ICE_SERVERS: ICE_SERVERS must be JSON/,
    );
  });

  it('rejects ICE_SERVERS JSON of the wrong shape', () => {
    expect(configError({ ICE_SERVERS: '{"urls":"stun:x"}' }).message).toMatch(/ICE_SERVERS: /);
    expect(configError({ ICE_SERVERS: '[{"urls":1}]' }).message).toMatch(/ICE_SERVERS\.0\.urls: /);
  });

  it('parses valid ICE_SERVERS', () => {
    const servers = [
      { urls: 'stun:stun.example.com:3478' },
      { urls: ['turn:t.example.com'], username: 'u', credential: 'p' },
    ];
    expect(loadConfig({ ICE_SERVERS: JSON.stringify(servers) }).webrtc.iceServers).toEqual(servers);
  });

  it('parses sandbox sizes and rejects tiny or malformed ones', () => {
    expect(loadConfig({ SANDBOX_MEMORY: '1G' }).sandbox.limits.memoryBytes).toBe(2 ** 30);
    expect(configError({ SANDBOX_MEMORY: '1M' }).message).toMatch(/SANDBOX_MEMORY/);
    expect(configError({ SANDBOX_MEMORY: 'lots' }).message).toMatch(/SANDBOX_MEMORY/);
    expect(configError({ SANDBOX_PIDS: '2' }).message).toMatch(/SANDBOX_PIDS/);
  });

  it('parses boolean flags and rejects other spellings', () => {
    expect(loadConfig({ SANDBOX_ALLOW_DEGRADED: '1' }).sandbox.allowDegraded).toBe(true);
    expect(loadConfig({ SANDBOX_ALLOW_DEGRADED: 'true' }).sandbox.allowDegraded).toBe(true);
    expect(loadConfig({ SANDBOX_ALLOW_DEGRADED: '0' }).sandbox.allowDegraded).toBe(false);
    expect(loadConfig({ SANDBOX_ALLOW_DEGRADED: 'false' }).sandbox.allowDegraded).toBe(false);
    expect(configError({ SANDBOX_ALLOW_DEGRADED: 'yes' }).message).toMatch(/SANDBOX_ALLOW_DEGRADED: /);
  });

  it('validates WEBRTC_PUBLIC_IP as an IP address', () => {
    expect(loadConfig({ WEBRTC_PUBLIC_IP: '203.0.113.7' }).webrtc.publicIp).toBe('203.0.113.7');
    expect(loadConfig({ WEBRTC_PUBLIC_IP: '2001:db8::1' }).webrtc.publicIp).toBe('2001:db8::1');
    expect(configError({ WEBRTC_PUBLIC_IP: 'example.com' }).message).toMatch(/WEBRTC_PUBLIC_IP: /);
  });

  it('enforces numeric bounds', () => {
    expect(configError({ MAX_SESSIONS: '0' }).message).toMatch(/MAX_SESSIONS: /);
    expect(configError({ MAX_SESSIONS: 'lots' }).message).toMatch(/MAX_SESSIONS: expected auto or a whole number/);
    expect(configError({ INPUT_RATE_PER_SECOND: '5' }).message).toMatch(/INPUT_RATE_PER_SECOND: /);
    expect(configError({ LOG_LEVEL: 'verbose' }).message).toMatch(/LOG_LEVEL: /);
    expect(loadConfig({ MAX_SESSIONS: '12', INPUT_RATE_PER_SECOND: '10' }).sessions).toMatchObject({
      maxSessions: 12,
      inputRatePerSecond: 10,
    });
  });

  it('reports every invalid variable at once, one per line', () => {
    const e = configError({ PORT: 'abc', WEBRTC_UDP_PORTS: '5000', ICE_SERVERS: 'nope' });
    const lines = e.message.split('\n');
    expect(lines[0]).toBe('invalid configuration:');
    expect(lines.slice(1).map((l) => l.trim().split(':')[0])).toEqual(['PORT', 'WEBRTC_UDP_PORTS', 'ICE_SERVERS']);
  });

  // BUG (server/src/config/config.ts:39): z.coerce.number() turns an empty string into 0, so an
  // empty `PORT=` (common in env files / compose) silently means "random port" and PUBLIC_URL
  // becomes http://127.0.0.1:0. An empty PORT should fall back to 8080 or be rejected.
  it('does not turn an empty PORT into port 0', () => {
    let port: number | undefined;
    try {
      port = loadConfig({ PORT: '' }).http.port;
    } catch {
      port = undefined; // rejecting is fine too
    }
    expect(port === undefined || port === 8080).toBe(true);
  });
});

describe('loadConfig durations and shape', () => {
  it('reads every duration the same way: a unit suffix anywhere, a bare number in the unit its name says', () => {
    const c = loadConfig({
      PEER_GRACE_MS: '45s',
      SESSION_START_TIMEOUT_MS: '20000',
      KEYFRAME_INTERVAL_S: '500ms',
      TRASH_RETENTION_DAYS: '12h',
      AUDIT_RETENTION_DAYS: '90',
      SESSION_IDLE_TIMEOUT: '90s',
    });
    expect(c.sessions.peerGraceMs).toBe(45_000);
    expect(c.sessions.startTimeoutMs).toBe(20_000);
    expect(c.media.keyframeIntervalS).toBe(0.5);
    expect(c.storage.trashRetentionMs).toBe(12 * 3_600_000);
    expect(c.audit.retentionMs).toBe(90 * 86_400_000);
    expect(c.sessions.idleTimeoutMs).toBe(90_000);
    // A name without a unit needs one in the value.
    expect(configError({ SESSION_IDLE_TIMEOUT: '900' }).message).toMatch(/SESSION_IDLE_TIMEOUT: expected a duration/);
    expect(configError({ PEER_GRACE_MS: '3 seconds' }).message).toMatch(/PEER_GRACE_MS: expected a duration/);
  });

  it('keeps the defaults of the old unit-named variables', () => {
    const c = loadConfig({});
    expect(c.sessions.peerGraceMs).toBe(30_000);
    expect(c.sessions.startTimeoutMs).toBe(15_000);
    expect(c.media.keyframeIntervalS).toBe(10);
    expect(c.storage.trashRetentionMs).toBe(30 * 86_400_000);
    expect(c.audit.retentionMs).toBe(0);
  });

  it('bounds the picture of a session that follows its viewer (2560x1440 unless set)', () => {
    expect(loadConfig({}).media.maxSize).toEqual({ width: 2560, height: 1440 });
    expect(loadConfig({ VIDEO_MAX_WIDTH: '1920', VIDEO_MAX_HEIGHT: '1080' }).media.maxSize).toEqual({
      width: 1920,
      height: 1080,
    });
    expect(configError({ VIDEO_MAX_WIDTH: '1921' }).message).toMatch(/VIDEO_MAX_WIDTH/);
    expect(configError({ VIDEO_MAX_WIDTH: '7680' }).message).toMatch(/VIDEO_MAX_WIDTH/);
    expect(configError({ VIDEO_MAX_HEIGHT: '100' }).message).toMatch(/VIDEO_MAX_HEIGHT/);
  });

  it('is frozen all the way down: nothing writes into it after load', () => {
    const c = loadConfig({ TURN_URLS: 'turn:127.0.0.1:3478', TURN_SECRET: 'a-long-enough-secret' });
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.http)).toBe(true);
    expect(Object.isFrozen(c.webrtc.turn)).toBe(true);
    expect(Object.isFrozen(c.webrtc.turn?.urls)).toBe(true);
    expect(() => {
      (c.http as { publicUrl: string }).publicUrl = 'http://elsewhere.test';
    }).toThrow(TypeError);
  });
});

describe('loadConfig mail', () => {
  it('reads SMTP_URL and MAIL_FROM together (smtp:// or smtps://)', () => {
    const c = loadConfig({
      SMTP_URL: 'smtp://user:secret@mail.example.test:587',
      MAIL_FROM: 'Vitrine <v@example.test>',
    });
    expect(c.mail).toEqual({ smtpUrl: 'smtp://user:secret@mail.example.test:587', from: 'Vitrine <v@example.test>' });
    expect(loadConfig({ SMTP_URL: 'smtps://mail.example.test', MAIL_FROM: 'v@example.test' }).mail?.smtpUrl).toBe(
      'smtps://mail.example.test',
    );
  });

  it('refuses one without the other, other schemes and a sender that is not an address', () => {
    expect(configError({ SMTP_URL: 'smtp://mail.example.test' }).message).toMatch(/SMTP_URL, MAIL_FROM: set both/);
    expect(configError({ MAIL_FROM: 'v@example.test' }).message).toMatch(/SMTP_URL, MAIL_FROM: set both/);
    expect(configError({ SMTP_URL: 'http://mail.example.test', MAIL_FROM: 'v@example.test' }).message).toMatch(
      /SMTP_URL: expected smtp/,
    );
    expect(configError({ SMTP_URL: 'smtp://mail.example.test', MAIL_FROM: 'Vitrine' }).message).toMatch(
      /MAIL_FROM: expected an address/,
    );
  });

  it('never repeats the SMTP password in an error', () => {
    const e = configError({ SMTP_URL: 'smtp://u:hunter2hunter2@/', MAIL_FROM: 'v@example.test' });
    expect(e.message).not.toContain('hunter2');
  });
});

describe('loadConfig audit key', () => {
  it('keeps the key outside DATA_DIR by default: /etc/vitrine for root, else the user configuration folder', () => {
    const root = process.getuid?.() === 0;
    const c = loadConfig({ HOME: '/home/someone' });
    expect(c.audit.keyFile).toBe(root ? '/etc/vitrine/audit.key' : '/home/someone/.config/vitrine/audit.key');
    expect(c.audit.checkpointFile).toBe(path.join(path.dirname(c.audit.keyFile), 'audit-checkpoints.jsonl'));
    expect(c.audit.checkpointIntervalMs).toBe(60_000);
    expect(c.audit.checkpointEvents).toBe(1000);
    const own = loadConfig({ AUDIT_KEY_FILE: '/srv/keys/a.key', AUDIT_CHECKPOINT_FILE: '/var/log/v/c.jsonl' });
    expect(own.audit).toMatchObject({ keyFile: '/srv/keys/a.key', checkpointFile: '/var/log/v/c.jsonl' });
  });

  it('refuses a key or checkpoint file inside DATA_DIR, STORAGE_DIR or RUNTIME_DIR', () => {
    expect(configError({ DATA_DIR: '/srv/v', AUDIT_KEY_FILE: '/srv/v/keys/audit.key' }).message).toMatch(
      /AUDIT_KEY_FILE: \/srv\/v\/keys\/audit.key is inside DATA_DIR/,
    );
    expect(configError({ DATA_DIR: '/srv/v', AUDIT_KEY_FILE: '/srv/v/../v/audit.key' }).message).toMatch(
      /inside DATA_DIR/,
    );
    expect(
      configError({ AUDIT_KEY_FILE: '/etc/v/a.key', AUDIT_CHECKPOINT_FILE: '/dev/shm/vitrine/c' }).message,
    ).toMatch(/AUDIT_CHECKPOINT_FILE: .* is inside RUNTIME_DIR/);
    expect(
      configError({ ENCRYPTION: 'off', STORAGE_DIR: '/srv/files', AUDIT_KEY_FILE: '/srv/files/a.key' }).message,
    ).toMatch(/inside STORAGE_DIR/);
    // A sibling whose name merely starts the same is not inside.
    expect(loadConfig({ DATA_DIR: '/srv/v', AUDIT_KEY_FILE: '/srv/v-keys/a.key' }).audit.keyFile).toBe(
      '/srv/v-keys/a.key',
    );
  });
});

describe('loadConfig encryption at rest', () => {
  it('keeps the master key apart from the data it unlocks', () => {
    expect(configError({ DATA_DIR: '/srv/v', MASTER_KEY_FILE: '/srv/v/master.key' }).message).toMatch(
      /MASTER_KEY_FILE: \/srv\/v\/master.key is inside DATA_DIR/,
    );
    expect(loadConfig({ DATA_DIR: '/srv/v', MASTER_KEY_FILE: '/etc/v/master.key' }).encryption.masterKeyFile).toBe(
      '/etc/v/master.key',
    );
  });

  it('refuses folders of its own for files or recordings while encrypting: they live on the volume', () => {
    expect(configError({ STORAGE_DIR: '/srv/files' }).message).toMatch(
      /STORAGE_DIR, RECORDINGS_DIR: with ENCRYPTION=on/,
    );
    expect(configError({ RECORDINGS_DIR: '/srv/rec' }).message).toMatch(/ENCRYPTION=on/);
    expect(loadConfig({ ENCRYPTION: 'off', STORAGE_DIR: '/srv/files' }).storage.dir).toBe('/srv/files');
  });

  it('reads the volume size, at least 64M', () => {
    expect(loadConfig({ ENCRYPTED_VOLUME_SIZE: '2G' }).encryption.volumeSizeBytes).toBe(2 * 2 ** 30);
    expect(configError({ ENCRYPTED_VOLUME_SIZE: '1M' }).message).toMatch(/at least 64M/);
    expect(configError({ ENCRYPTION: 'maybe' }).message).toMatch(/ENCRYPTION/);
  });
});

describe('ROLE (multi-node)', () => {
  const shared = {
    DATABASE_URL: 'postgresql://vitrine@db.example.test/vitrine',
    WORKER_SECRET_FILE: '/etc/vitrine/worker.secret',
    STORAGE_DIR: '/srv/vitrine/storage',
    RECORDINGS_DIR: '/srv/vitrine/recordings',
    ENCRYPTION: 'off',
  };

  it('is one process by default, with no shared secret', () => {
    expect(loadConfig({}).cluster).toMatchObject({ role: 'all', secretFile: null, lostAfterMs: 6000 });
  });

  it('needs the shared database, secret and folders for the API tier and the workers', () => {
    for (const role of ['api', 'worker']) {
      expect(() => loadConfig({ ROLE: role, ENCRYPTION: 'off' })).toThrow(
        /DATABASE_URL, WORKER_SECRET_FILE, STORAGE_DIR, RECORDINGS_DIR: ROLE=.* needs them/,
      );
      expect(() =>
        loadConfig({ ...shared, ROLE: role, ENCRYPTION: 'on', STORAGE_DIR: undefined, RECORDINGS_DIR: undefined }),
      ).toThrow(/STORAGE_DIR, RECORDINGS_DIR: ROLE=.* needs them/);
    }
  });

  it('refuses the built-in encrypted volume, which cannot be shared between machines', () => {
    const { ENCRYPTION: _off, ...rest } = shared;
    expect(() => loadConfig({ ...rest, ROLE: 'worker' })).toThrow(/ENCRYPTION: ROLE=worker needs ENCRYPTION=off/);
  });

  it('names a worker after its host and reaches it where it listens unless told', () => {
    const c = loadConfig({ ...shared, ROLE: 'worker', HOST: '198.51.100.11', PORT: '8090', ALLOW_INSECURE_HTTP: '1' });
    expect(c.cluster.worker).toEqual({
      id: os.hostname().slice(0, 63),
      url: 'http://198.51.100.11:8090',
      publicUrl: 'http://198.51.100.11:8090',
    });
    const named = loadConfig({
      ...shared,
      ROLE: 'worker',
      WORKER_ID: 'node-7',
      WORKER_URL: 'http://10.0.0.7:8090/',
      WORKER_PUBLIC_URL: 'https://w7.vitrine.example.com',
    });
    expect(named.cluster.worker).toEqual({
      id: 'node-7',
      url: 'http://10.0.0.7:8090',
      publicUrl: 'https://w7.vitrine.example.com',
    });
    expect(() => loadConfig({ ...shared, ROLE: 'worker', WORKER_ID: '../x' })).toThrow(/WORKER_ID/);
  });
});
