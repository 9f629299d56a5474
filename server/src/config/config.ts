import fs from 'node:fs';
import { isIP } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { envSchema, type Env } from './env.ts';
import { hostResources, sessionCapacity } from './host-capacity.ts';

/**
 * The whole configuration, read once from the environment (every variable is documented in
 * README.md), checked as a whole, grouped by capability and frozen. Each service is handed its
 * own slice; nothing writes into it after start.
 */
export interface Config {
  http: {
    port: number;
    host: string;
    /** Origin only (no path): what browsers use, the WebAuthn relying party and the origin checked. */
    publicUrl: string;
    /** PUBLIC_URL was not set: on an ephemeral port (PORT=0) it follows the port actually bound. */
    publicUrlIsDefault: boolean;
    tls: { certFile: string; keyFile: string } | null;
    allowInsecureHttp: boolean;
    /** Proxies believed about the client's address (X-Forwarded-For); exempt from the per-address cap. */
    trustedProxies: string[];
    /** When silent or slow connections are closed, and how many one address (and all) may hold. */
    connections: {
      /** From connecting (or the end of the previous answer's keep-alive) to a request's complete headers. */
      headersTimeoutMs: number;
      /** To receive a whole request body, on routes with small bodies (uploads have only the idle timeout). */
      requestTimeoutMs: number;
      /** Silence while a request is being received or answered. */
      idleTimeoutMs: number;
      /** An idle connection between requests. */
      keepAliveTimeoutMs: number;
      maxPerAddress: number;
      /** null: half the open-file limit, decided at start-up. */
      max: number | null;
    };
    webDist: string;
    logLevel: Env['LOG_LEVEL'];
  };
  /** Where PGlite and the server's journals live (on the encrypted volume's system folder when encrypting). */
  database: { url: string | undefined; dataDir: string };
  /** The operator's socket (admin/admin-socket.ts): in DATA_DIR, never on the volume. */
  adminSocket: string;
  /** Encryption at rest (encryption/at-rest.ts); storage, recordings and the database are on its volume. */
  encryption: { enabled: boolean; dataDir: string; masterKeyFile: string; volumeSizeBytes: number | null };
  storage: { dir: string; maxUploadBytes: number; quotaBytes: number; trashRetentionMs: number };
  /** Recordings: their own space per owner (not the file quota), kept `retentionMs` (0: until removed). */
  recordings: { dir: string; budgetBytes: number; retentionMs: number; segmentMs: number };
  apps: { root: string };
  sandbox: {
    bwrapPath: string;
    allowDegraded: boolean;
    /** The host user sessions run as when the server runs as root. */
    user: string;
    /** Session folders and the sandbox's own files; on tmpfs by default. */
    runtimeDir: string;
    limits: { memoryBytes: number; pids: number; cpu: number };
    /** A session using its whole CPU quota for this long ends with "cpu limit" (0: never). */
    cpuAbuseAfterMs: number;
  };
  sessions: {
    maxSessions: number;
    maxPerUser: number;
    /** Warm sandboxes kept per app that takes warm starts (sessions/warm-pool.ts). */
    warmSandboxes: number;
    launchesPerMinute: number;
    idleTimeoutMs: number;
    /** An ending session's app may take this long to exit after `shutdown` and SIGTERM (0: killed at once). */
    appShutdownGraceMs: number;
    /** No input for this long and reading time stops counting (the person is "away"). */
    readingIdleAfterMs: number;
    startTimeoutMs: number;
    peerGraceMs: number;
    inputRatePerSecond: number;
  };
  media: {
    ffmpegPath: string;
    /** The most the encoder sends; the congestion controller lowers it, never below minBitrateKbps. */
    bitrateKbps: number;
    minBitrateKbps: number;
    keyframeIntervalS: number;
    /** A still picture's encoders are stopped after this long (0: never); media/video-pipeline.ts. */
    idleStopMs: number;
    /** The largest picture of a session whose app follows the viewer's size. */
    maxSize: { width: number; height: number };
  };
  webrtc: {
    /** null = gather host candidates on every interface. */
    iceAddresses: string[] | null;
    publicIp: string | undefined;
    udpPorts: [number, number] | undefined;
    iceServers: Env['ICE_SERVERS'];
    turn: { urls: string[]; secret: string; ttlMs: number } | null;
    transportPolicy: 'all' | 'relay';
    privateCandidates: boolean;
  };
  auth: { signInIdleTimeoutMs: number; signInMaxAgeMs: number; invitationTtlMs: number };
  audit: {
    retentionMs: number;
    expiryCheckMs: number;
    /** The key of the trail's MACs; never inside DATA_DIR, STORAGE_DIR or RUNTIME_DIR. */
    keyFile: string;
    /** Signed checkpoints of the head, appended every `checkpointIntervalMs` or `checkpointEvents` events. */
    checkpointFile: string;
    checkpointIntervalMs: number;
    checkpointEvents: number;
  };
  /** Outgoing mail; null (the default) when SMTP_URL is not set: invitation links are then only shown. */
  mail: { smtpUrl: string; from: string } | null;
  /** The operator's listener for Prometheus and probes (METRICS_LISTEN); null (the default): none. */
  metrics: { listen: { host: string; port: number } | null };
  /** One process (`all`), or the API tier and session workers of a multi-node install (docs/workers.md). */
  cluster: {
    role: 'all' | 'api' | 'worker';
    /** Shared by the API tier and the workers; null with ROLE=all. */
    secretFile: string | null;
    /** This process as a worker: its registry name, its URL for the API tier, its URL for browsers. */
    worker: { id: string; url: string; publicUrl: string };
    lostAfterMs: number;
  };
}

export class ConfigError extends Error {}

const invalid = (lines: string) => new ConfigError(`invalid configuration:\n${lines}`);

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  // An empty variable means "not set", as in most shells' `VAR= cmd` usage.
  const defined = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
  const parsed = envSchema.safeParse(defined);
  if (!parsed.success) {
    throw invalid(parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n'));
  }
  const c = parsed.data;
  checkTogether(c);
  const dataDir = path.resolve(c.DATA_DIR);
  const addresses = c.WEBRTC_ICE_ADDRESSES.trim();
  const encrypted = c.ENCRYPTION === 'on';
  // Encrypted, everything the server stores is on the volume (DATA_DIR/volume), under its keys.
  const volume = path.join(dataDir, 'volume');
  const storageDir = path.resolve(c.STORAGE_DIR ?? path.join(encrypted ? volume : dataDir, 'storage'));
  const recordingsDir = path.resolve(c.RECORDINGS_DIR ?? path.join(encrypted ? volume : dataDir, 'recordings'));
  const outside: Array<[string, string]> = [
    ['DATA_DIR', dataDir],
    ['STORAGE_DIR', storageDir],
    ['RUNTIME_DIR', path.resolve(c.RUNTIME_DIR ?? defaultRuntimeDir())],
  ];
  const auditFiles = auditFilesOutside(c, defined, outside);
  const masterKeyFile = keyFileOutside('MASTER_KEY_FILE', c.MASTER_KEY_FILE, 'master.key', defined, outside);
  return deepFreeze({
    http: {
      port: c.PORT,
      host: c.HOST,
      publicUrl: c.PUBLIC_URL ? new URL(c.PUBLIC_URL).origin : defaultPublicUrl(c.HOST, c.PORT, !!c.TLS_CERT),
      publicUrlIsDefault: !c.PUBLIC_URL,
      tls: c.TLS_CERT && c.TLS_KEY ? { certFile: c.TLS_CERT, keyFile: c.TLS_KEY } : null,
      allowInsecureHttp: c.ALLOW_INSECURE_HTTP,
      trustedProxies: c.TRUSTED_PROXIES,
      connections: {
        headersTimeoutMs: c.HTTP_HEADERS_TIMEOUT,
        requestTimeoutMs: c.HTTP_REQUEST_TIMEOUT,
        idleTimeoutMs: c.HTTP_IDLE_TIMEOUT,
        keepAliveTimeoutMs: c.HTTP_KEEP_ALIVE_TIMEOUT,
        maxPerAddress: c.MAX_CONNECTIONS_PER_ADDRESS,
        max: c.MAX_CONNECTIONS ?? null,
      },
      webDist: c.WEB_DIST,
      logLevel: c.LOG_LEVEL,
    },
    database: { url: c.DATABASE_URL, dataDir: encrypted ? path.join(volume, 'system') : dataDir },
    adminSocket: path.join(dataDir, 'admin.sock'),
    encryption: {
      enabled: encrypted,
      dataDir,
      masterKeyFile,
      volumeSizeBytes: c.ENCRYPTED_VOLUME_SIZE ?? null,
    },
    storage: {
      dir: storageDir,
      maxUploadBytes: c.MAX_UPLOAD_SIZE,
      quotaBytes: c.OWNER_QUOTA,
      trashRetentionMs: c.TRASH_RETENTION_DAYS,
    },
    recordings: {
      dir: recordingsDir,
      budgetBytes: c.RECORDING_BUDGET,
      retentionMs: c.RECORDING_RETENTION_DAYS,
      segmentMs: c.RECORDING_SEGMENT,
    },
    apps: { root: path.resolve(c.APPS_ROOT) },
    sandbox: {
      bwrapPath: c.BWRAP_PATH,
      allowDegraded: c.SANDBOX_ALLOW_DEGRADED,
      user: c.SANDBOX_USER,
      runtimeDir: path.resolve(c.RUNTIME_DIR ?? defaultRuntimeDir()),
      limits: { memoryBytes: c.SANDBOX_MEMORY, pids: c.SANDBOX_PIDS, cpu: c.SANDBOX_CPU },
      cpuAbuseAfterMs: c.SANDBOX_CPU_ABUSE_AFTER,
    },
    sessions: {
      maxSessions: c.MAX_SESSIONS === 'auto' ? sessionCapacity(hostResources()) : c.MAX_SESSIONS,
      maxPerUser: c.MAX_SESSIONS_PER_USER,
      warmSandboxes: c.WARM_SANDBOXES,
      launchesPerMinute: c.SESSION_LAUNCHES_PER_MINUTE,
      idleTimeoutMs: c.SESSION_IDLE_TIMEOUT,
      appShutdownGraceMs: c.APP_SHUTDOWN_GRACE,
      readingIdleAfterMs: c.READING_IDLE_AFTER,
      startTimeoutMs: c.SESSION_START_TIMEOUT_MS,
      peerGraceMs: c.PEER_GRACE_MS,
      inputRatePerSecond: c.INPUT_RATE_PER_SECOND,
    },
    media: {
      ffmpegPath: c.FFMPEG_PATH,
      bitrateKbps: c.VIDEO_BITRATE_KBPS,
      minBitrateKbps: Math.min(c.VIDEO_MIN_BITRATE_KBPS, c.VIDEO_BITRATE_KBPS),
      keyframeIntervalS: c.KEYFRAME_INTERVAL_S / 1000,
      idleStopMs: c.ENCODER_IDLE_STOP,
      maxSize: { width: c.VIDEO_MAX_WIDTH, height: c.VIDEO_MAX_HEIGHT },
    },
    webrtc: {
      iceAddresses: addresses === 'all' ? null : addressList(addresses),
      publicIp: c.WEBRTC_PUBLIC_IP,
      udpPorts: c.WEBRTC_UDP_PORTS,
      iceServers: c.ICE_SERVERS,
      turn: c.TURN_SECRET ? { urls: c.TURN_URLS, secret: c.TURN_SECRET, ttlMs: c.TURN_TTL } : null,
      transportPolicy: c.ICE_TRANSPORT_POLICY,
      privateCandidates: c.ICE_PRIVATE_CANDIDATES,
    },
    auth: {
      signInIdleTimeoutMs: c.SIGNIN_IDLE_TIMEOUT,
      signInMaxAgeMs: c.SIGNIN_MAX_AGE,
      invitationTtlMs: c.INVITATION_TTL,
    },
    audit: {
      retentionMs: c.AUDIT_RETENTION_DAYS,
      expiryCheckMs: c.EXPIRY_CHECK_INTERVAL,
      ...auditFiles,
      checkpointIntervalMs: c.AUDIT_CHECKPOINT_INTERVAL,
      checkpointEvents: c.AUDIT_CHECKPOINT_EVENTS,
    },
    mail: c.SMTP_URL && c.MAIL_FROM ? { smtpUrl: c.SMTP_URL, from: c.MAIL_FROM } : null,
    metrics: { listen: c.METRICS_LISTEN ?? null },
    cluster: clusterOf(c),
  });
}

const addressList = (text: string) =>
  text
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);

function clusterOf(c: Env): Config['cluster'] {
  const url = c.WORKER_URL ? new URL(c.WORKER_URL).origin : defaultPublicUrl(c.HOST, c.PORT, !!c.TLS_CERT);
  return {
    role: c.ROLE,
    secretFile: c.WORKER_SECRET_FILE ? path.resolve(c.WORKER_SECRET_FILE) : null,
    worker: {
      id: c.WORKER_ID ?? os.hostname().slice(0, 63),
      url,
      publicUrl: c.WORKER_PUBLIC_URL ? new URL(c.WORKER_PUBLIC_URL).origin : url,
    },
    lostAfterMs: c.WORKER_LOST_AFTER,
  };
}

/** Rules that involve several variables at once. */
function checkTogether(c: Env): void {
  if (c.ROLE !== 'all') {
    // Every process of a multi-node install sees the same database, files and secret.
    const missing = [
      ['DATABASE_URL', c.DATABASE_URL],
      ['WORKER_SECRET_FILE', c.WORKER_SECRET_FILE],
      ['STORAGE_DIR', c.STORAGE_DIR],
      ['RECORDINGS_DIR', c.RECORDINGS_DIR],
    ].filter(([, v]) => v === undefined);
    if (missing.length) {
      throw invalid(
        `  ${missing.map(([n]) => n).join(', ')}: ROLE=${c.ROLE} needs them (a shared PostgreSQL, the secret ` +
          'shared with the other tier, and folders on a shared filesystem: docs/shared-storage.md)',
      );
    }
    if (c.ENCRYPTION === 'on') {
      throw invalid(
        `  ENCRYPTION: ROLE=${c.ROLE} needs ENCRYPTION=off: the built-in encrypted volume is one machine's ` +
          'loop device; in a multi-node install the shared filesystem encrypts at rest (docs/shared-storage.md)',
      );
    }
  }
  if (c.ENCRYPTION === 'on' && (c.STORAGE_DIR !== undefined || c.RECORDINGS_DIR !== undefined)) {
    throw invalid(
      '  STORAGE_DIR, RECORDINGS_DIR: with ENCRYPTION=on, files and recordings live on the encrypted volume in ' +
        'DATA_DIR; unset them (or set ENCRYPTION=off)',
    );
  }
  const addresses = c.WEBRTC_ICE_ADDRESSES.trim();
  if (addresses !== 'all') {
    const list = addressList(addresses);
    const bad = list.find((a) => !isIP(a));
    const v4 = list.filter((a) => isIP(a) === 4).length;
    const v6 = list.filter((a) => isIP(a) === 6).length;
    // werift binds all its ICE sockets of one family to a single interface address.
    if (bad || v4 > 1 || v6 > 1 || list.length === 0) {
      throw invalid(
        `  WEBRTC_ICE_ADDRESSES: expected "all" or at most one IPv4 and one IPv6 address${bad ? ` ("${bad}" is not an IP address)` : ''}`,
      );
    }
  }
  if (c.TURN_URLS.length > 0 !== (c.TURN_SECRET !== undefined)) {
    throw invalid("  TURN_URLS, TURN_SECRET: set both (the TURN server's URLs and its static-auth-secret) or neither");
  }
  if (
    c.ICE_TRANSPORT_POLICY === 'relay' &&
    c.TURN_URLS.length === 0 &&
    !c.ICE_SERVERS.some((s) => [s.urls].flat().some((u) => u.startsWith('turn')))
  ) {
    throw invalid('  ICE_TRANSPORT_POLICY: relay needs a TURN server (TURN_URLS and TURN_SECRET, or ICE_SERVERS)');
  }
  if ((c.TLS_CERT === undefined) !== (c.TLS_KEY === undefined)) {
    throw invalid('  TLS_CERT, TLS_KEY: set both (a PEM certificate chain and its private key) or neither');
  }
  for (const [name, file] of [
    ['TLS_CERT', c.TLS_CERT],
    ['TLS_KEY', c.TLS_KEY],
  ] as const) {
    if (file !== undefined && !fs.existsSync(file)) throw invalid(`  ${name}: ${file} does not exist`);
  }
  if (!c.TLS_CERT && !c.ALLOW_INSECURE_HTTP && !isLoopback(c.HOST)) {
    throw invalid(
      `  HOST: ${c.HOST} is not a loopback address and TLS is off. Set TLS_CERT and TLS_KEY, ` +
        'or ALLOW_INSECURE_HTTP=1 when a TLS-terminating reverse proxy is in front (see "Deploying securely" in the README)',
    );
  }
  if (c.METRICS_LISTEN && c.PORT !== 0 && c.METRICS_LISTEN.port === c.PORT) {
    throw invalid(`  METRICS_LISTEN: port ${c.PORT} is PORT's; the operator's listener needs a port of its own`);
  }
  if ((c.SMTP_URL === undefined) !== (c.MAIL_FROM === undefined)) {
    throw invalid('  SMTP_URL, MAIL_FROM: set both (the SMTP server and the sender address) or neither');
  }
  const address = '[^\\s@<>]+@[^\\s@<>]+';
  if (c.MAIL_FROM !== undefined && !new RegExp(`^(?:${address}|[^<>]*<${address}>)$`).test(c.MAIL_FROM.trim())) {
    throw invalid('  MAIL_FROM: expected an address, e.g. vitrine@example.com or "Vitrine <vitrine@example.com>"');
  }
  if (c.PUBLIC_URL) {
    const u = new URL(c.PUBLIC_URL);
    if (!/^https?:$/.test(u.protocol) || (u.pathname !== '/' && u.pathname !== '') || u.search || u.hash) {
      throw invalid('  PUBLIC_URL: expected an http(s) origin without a path, e.g. https://vitrine.example.com');
    }
  }
}

/**
 * The public URL when PUBLIC_URL is not set. Passkeys need a domain name (not an IP address)
 * and, over plain http, the name "localhost"; so a server on loopback or on every interface is
 * reached as http://localhost:PORT by default.
 */
export function defaultPublicUrl(host: string, port: number, tls: boolean): string {
  const scheme = tls ? 'https' : 'http';
  if (['127.0.0.1', '::1', 'localhost', '0.0.0.0', '::'].includes(host)) return `${scheme}://localhost:${port}`;
  return `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** Addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * Where the audit key and its checkpoints live: never among the database's files or anything an app
 * can write (whoever changes those could otherwise recompute the chain). Defaults: /etc/vitrine for
 * root, else the user's configuration folder; the checkpoints beside the key.
 */
function auditFilesOutside(c: Env, env: NodeJS.ProcessEnv, dirs: Array<[string, string]>) {
  const keyFile = defaultKeyFile(c.AUDIT_KEY_FILE, 'audit.key', env);
  const checkpointFile = path.resolve(
    c.AUDIT_CHECKPOINT_FILE ?? path.join(path.dirname(keyFile), 'audit-checkpoints.jsonl'),
  );
  const advice =
    'keep the audit key and checkpoints apart from the database and the files apps can write, e.g. ' +
    'AUDIT_KEY_FILE=/etc/vitrine/audit.key';
  refuseInside('AUDIT_KEY_FILE', keyFile, dirs, advice);
  refuseInside('AUDIT_CHECKPOINT_FILE', checkpointFile, dirs, advice);
  return { keyFile, checkpointFile };
}

/** A key file's path: as set, else /etc/vitrine/<name> for root, else in the user's configuration folder. */
function defaultKeyFile(set: string | undefined, name: string, env: NodeJS.ProcessEnv): string {
  const configHome = env.XDG_CONFIG_HOME ?? path.join(env.HOME ?? os.userInfo().homedir, '.config');
  return path.resolve(
    set ?? (process.getuid?.() === 0 ? path.join('/etc/vitrine', name) : path.join(configHome, 'vitrine', name)),
  );
}

/** The master key, like the audit key, never where the data it unlocks is (nor where apps write). */
function keyFileOutside(
  variable: string,
  set: string | undefined,
  name: string,
  env: NodeJS.ProcessEnv,
  dirs: Array<[string, string]>,
): string {
  const file = defaultKeyFile(set, name, env);
  refuseInside(variable, file, dirs, `keep it apart from the data it unlocks, e.g. ${variable}=/etc/vitrine/${name}`);
  return file;
}

/** A key file inside a folder others write (the database, apps) is refused, with `advice`. */
function refuseInside(variable: string, file: string, dirs: Array<[string, string]>, advice: string): void {
  const within = dirs.find(([, dir]) => isWithin(file, dir));
  if (within) throw invalid(`  ${variable}: ${file} is inside ${within[0]} (${within[1]}); ${advice}`);
}

/** Whether `file` is `dir` or beneath it, with the symbolic links of whatever exists of both resolved. */
function isWithin(file: string, dir: string): boolean {
  const real = (p: string) => {
    const tail: string[] = [];
    for (let head = p; ;) {
      try {
        return path.join(fs.realpathSync(head), ...tail);
      } catch {
        const up = path.dirname(head);
        if (up === head) return p;
        tail.unshift(path.basename(head));
        head = up;
      }
    }
  };
  const rel = path.relative(real(dir), real(file));
  return rel === '' || !(rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel));
}

// Frame buffers are read up to 30 times a second: keep them in memory (tmpfs), not on disk.
function defaultRuntimeDir(): string {
  return path.join(process.platform === 'linux' ? '/dev/shm' : os.tmpdir(), 'vitrine');
}

function deepFreeze<T extends object>(o: T): Readonly<T> {
  for (const v of Object.values(o)) if (v && typeof v === 'object' && !Object.isFrozen(v)) deepFreeze(v as object);
  return Object.freeze(o);
}
