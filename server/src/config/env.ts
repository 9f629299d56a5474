import { isIP } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { parseDuration, parseSize, type DurationUnit } from './units.ts';

/**
 * The environment variables Vitrine reads, as they are written (flat, with today's names and
 * units); `config.ts` checks them together and groups them by capability.
 */

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

const portRange = z
  .string()
  .regex(/^\d+-\d+$/, 'expected MIN-MAX, e.g. 50000-50100')
  .transform((s) => s.split('-').map(Number) as [number, number])
  .refine(([a, b]) => a >= 1024 && b <= 65535 && a < b, 'ports must satisfy 1024 <= MIN < MAX <= 65535');

const iceServers = z
  .string()
  .transform((s, ctx) => {
    try {
      return JSON.parse(s) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'ICE_SERVERS must be JSON' });
      return z.NEVER;
    }
  })
  .pipe(
    z.array(
      z.object({
        urls: z.union([z.string(), z.array(z.string())]),
        username: z.string().optional(),
        credential: z.string().optional(),
      }),
    ),
  );

const size = (fallback: string, min: number, hint: string) =>
  z
    .string()
    .default(fallback)
    .transform(parseSize)
    .refine((n) => n >= min, `expected a size of at least ${hint}, e.g. 512M or 2G`);

const BARE: Partial<Record<DurationUnit, string>> = { ms: 'milliseconds', s: 'seconds', d: 'days' };

/**
 * A duration in milliseconds; a bare number is read in `bareUnit` (the unit the variable's name
 * says); `max`, where given, bounds it from above.
 */
const duration = (
  fallback: string,
  minMs: number,
  hint: string,
  bareUnit?: DurationUnit,
  max?: { ms: number; hint: string },
) =>
  z
    .string()
    .default(fallback)
    .transform((text) => parseDuration(text, bareUnit))
    .refine(
      (n) => n >= minMs,
      `expected a duration of at least ${hint}, e.g. 30s, 30m, 12h or 7d${bareUnit ? ` (a bare number counts ${BARE[bareUnit]})` : ''}`,
    )
    .refine((n) => max === undefined || n <= max.ms, `expected at most ${max?.hint}`);

const bool = z.enum(['0', '1', 'true', 'false']).transform((v) => v === '1' || v === 'true');

/** "192.0.2.7", "2001:db8::1", "10.0.0.0/8" or "2001:db8::/32". */
function isAddressOrRange(text: string): boolean {
  const [address = '', prefix, ...rest] = text.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/** "127.0.0.1:9464" or "[::1]:9464": an IP address (not a name) and a port; port 0 takes a free one. */
export function parseListenAddress(text: string): { host: string; port: number } | null {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text.trim());
  if (!m) return null;
  const host = m[1] ?? m[2] ?? '';
  const family = isIP(host);
  const port = Number(m[3]);
  // Brackets for IPv6 only, as in URLs: "[192.0.2.7]:80" is not an address anyone writes.
  if (family === 0 || (m[1] !== undefined) !== (family === 6) || port > 65535) return null;
  return { host, port };
}

const listenAddress = z.string().transform((text, ctx) => {
  const at = parseListenAddress(text);
  if (at) return at;
  ctx.addIssue({ code: 'custom', message: 'expected an IP address and a port, e.g. 127.0.0.1:9464 or [::1]:9464' });
  return z.NEVER;
});

export const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('127.0.0.1'),
  PUBLIC_URL: z.url().optional(),
  /** PEM files; both together turn on HTTPS (and WSS). */
  TLS_CERT: z.string().optional(),
  TLS_KEY: z.string().optional(),
  /** Plain HTTP on a non-loopback address: only behind a TLS-terminating proxy. */
  ALLOW_INSECURE_HTTP: bool.default(false),
  /** Reverse proxies whose X-Forwarded-For names the client: addresses or CIDR ranges, comma-separated. */
  TRUSTED_PROXIES: z
    .string()
    .optional()
    .transform((v) =>
      (v ?? '')
        .split(',')
        .map((a) => a.trim())
        .filter(Boolean),
    )
    .refine(
      (list) => list.every(isAddressOrRange),
      'expected IP addresses or CIDR ranges, comma-separated, e.g. 127.0.0.1,10.0.0.0/8',
    ),
  /** When silent or slow connections are closed, and the connection caps (README, configuration). */
  HTTP_HEADERS_TIMEOUT: duration('10s', 500, '0.5s'),
  HTTP_REQUEST_TIMEOUT: duration('30s', 500, '0.5s'),
  HTTP_IDLE_TIMEOUT: duration('60s', 500, '0.5s'),
  HTTP_KEEP_ALIVE_TIMEOUT: duration('72s', 500, '0.5s'),
  MAX_CONNECTIONS_PER_ADDRESS: z.coerce.number().int().min(1).max(1_000_000).default(128),
  /** Unset: half the process's open-file limit. */
  MAX_CONNECTIONS: z.coerce.number().int().min(1).max(10_000_000).optional(),
  DATA_DIR: z.string().default(path.join(repoRoot, 'var')),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'expected a postgresql:// URL')
    .optional(),
  RUNTIME_DIR: z.string().optional(),
  APPS_ROOT: z.string().default(path.join(repoRoot, 'apps')),
  WEB_DIST: z.string().default(path.join(repoRoot, 'web', 'dist')),
  /** `auto`: from this host's cores and memory (sessions/capacity.ts), else a number. */
  MAX_SESSIONS: z
    .union([z.literal('auto'), z.coerce.number().int().min(1).max(1000)], {
      error: 'expected auto or a whole number from 1 to 1000',
    })
    .default('auto'),
  MAX_SESSIONS_PER_USER: z.coerce.number().int().min(1).max(1000).default(2),
  /** Sandboxes per warm-start app kept started before their sessions (sessions/warm-pool.ts); 0: none. */
  WARM_SANDBOXES: z.coerce.number().int().min(0).max(8).default(1),
  SESSION_LAUNCHES_PER_MINUTE: z.coerce.number().int().min(1).max(100000).default(20),
  SESSION_IDLE_TIMEOUT: duration('15m', 2000, '2s'),
  APP_SHUTDOWN_GRACE: duration('3s', 0, '0s', undefined, { ms: 60_000, hint: '60s' }),
  READING_IDLE_AFTER: duration('2m', 10_000, '10s'),
  SESSION_START_TIMEOUT_MS: duration('15000', 1000, '1s', 'ms'),
  PEER_GRACE_MS: duration('30000', 0, '0s', 'ms'),
  INPUT_RATE_PER_SECOND: z.coerce.number().int().min(10).max(10000).default(400),
  VIDEO_BITRATE_KBPS: z.coerce.number().int().min(200).max(50000).default(3000),
  VIDEO_MIN_BITRATE_KBPS: z.coerce.number().int().min(50).max(50000).default(150),
  /** A still picture's (a silent sound's) encoders stop after this long (0s: never); input or a change starts them. */
  ENCODER_IDLE_STOP: duration('20s', 0, '0s'),
  KEYFRAME_INTERVAL_S: duration('10', 500, '0.5s', 's', { ms: 60_000, hint: '60s' }),
  /** The largest picture of a session that follows its viewer (its display is this big). */
  VIDEO_MAX_WIDTH: z.coerce.number().int().min(320).max(3840).multipleOf(8).default(2560),
  VIDEO_MAX_HEIGHT: z.coerce.number().int().min(240).max(2160).multipleOf(2).default(1440),
  WEBRTC_ICE_ADDRESSES: z.string().default('127.0.0.1'),
  WEBRTC_PUBLIC_IP: z.union([z.ipv4(), z.ipv6()]).optional(),
  WEBRTC_UDP_PORTS: portRange.optional(),
  ICE_SERVERS: iceServers.default([]),
  /** TURN servers handed to viewers with per-session credentials made from TURN_SECRET. */
  TURN_URLS: z
    .string()
    .optional()
    .transform((v) =>
      v
        ? v
            .split(',')
            .map((u) => u.trim())
            .filter(Boolean)
        : [],
    )
    .refine((urls) => urls.every((u) => /^turns?:[^\s]+$/.test(u)), 'expected turn: or turns: URLs, comma-separated'),
  TURN_SECRET: z.string().min(16, 'use a long random secret (at least 16 characters)').optional(),
  TURN_TTL: duration('12h', 60_000, '1m'),
  /** `relay`: viewers may only connect through TURN (hides both sides' addresses from each other). */
  ICE_TRANSPORT_POLICY: z.enum(['all', 'relay']).default('all'),
  /** 0: host candidates with private, loopback or link-local addresses are never offered. */
  ICE_PRIVATE_CANDIDATES: bool.default(true),
  FFMPEG_PATH: z.string().default('ffmpeg'),
  BWRAP_PATH: z.string().default('bwrap'),
  /** The operator's listener (/metrics, /healthz, /readyz), apart from the client-facing port; unset: none. */
  METRICS_LISTEN: listenAddress.optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SANDBOX_ALLOW_DEGRADED: bool.default(false),
  /** The host user sessions run as when the server runs as root (made on first start). */
  SANDBOX_USER: z
    .string()
    .regex(/^[a-z_][a-z0-9_-]{0,30}$/, 'a user name: lower-case letters, digits, "_" and "-"')
    .refine((n) => n !== 'root', 'sessions never run as root')
    .default('vitrine-sandbox'),
  SANDBOX_MEMORY: size('512M', 16 * 2 ** 20, '16M'),
  SANDBOX_PIDS: z.coerce.number().int().min(16).max(100000).default(256),
  SANDBOX_CPU: z.coerce.number().min(0.05).max(64).default(1),
  SANDBOX_CPU_ABUSE_AFTER: duration('15m', 0, '0s'),
  STORAGE_DIR: z.string().optional(),
  MAX_UPLOAD_SIZE: size('2G', 1024, '1K'),
  OWNER_QUOTA: size('20G', 1024, '1K'),
  TRASH_RETENTION_DAYS: duration('30', 0, '0d', 'd', { ms: 3650 * 86_400_000, hint: '3650 days' }),
  /** Recordings of recorded shares' sessions: where, how long kept (0: until removed), each owner's space. */
  RECORDINGS_DIR: z.string().optional(),
  RECORDING_RETENTION_DAYS: duration('90', 0, '0d', 'd', { ms: 36500 * 86_400_000, hint: '36500 days' }),
  RECORDING_BUDGET: size('10G', 1024 * 1024, '1M'),
  RECORDING_SEGMENT: duration('4s', 1000, '1s', undefined, { ms: 60_000, hint: '60s' }),
  SIGNIN_IDLE_TIMEOUT: duration('30m', 60_000, '1m'),
  SIGNIN_MAX_AGE: duration('12h', 60_000, '1m'),
  INVITATION_TTL: duration('7d', 60_000, '1m'),
  /** 0 keeps audit events forever. */
  AUDIT_RETENTION_DAYS: duration('0', 0, '0d', 'd', { ms: 36500 * 86_400_000, hint: '36500 days' }),
  /** Encryption at rest (docs/security.md): on unless set to off (data in the clear, e.g. for development). */
  ENCRYPTION: z.enum(['on', 'off']).default('on'),
  /** The key that wraps every other key, outside DATA_DIR (made on first start); default in config.ts. */
  MASTER_KEY_FILE: z.string().optional(),
  /** The encrypted volume's size when DATA_DIR/volume.img is made; unset: 90 % of the space free then. */
  ENCRYPTED_VOLUME_SIZE: z
    .string()
    .transform(parseSize)
    .refine((n) => n >= 64 * 2 ** 20, 'expected a size of at least 64M, e.g. 500G')
    .optional(),
  /** The audit trail's MAC key, outside DATA_DIR (made on first start); default in config.ts. */
  AUDIT_KEY_FILE: z.string().optional(),
  /** Where signed checkpoints of the trail's head are appended; default: beside the key. */
  AUDIT_CHECKPOINT_FILE: z.string().optional(),
  AUDIT_CHECKPOINT_INTERVAL: duration('1m', 1000, '1s'),
  AUDIT_CHECKPOINT_EVENTS: z.coerce.number().int().min(1).max(1_000_000).default(1000),
  EXPIRY_CHECK_INTERVAL: duration('30s', 1000, '1s'),
  /**
   * `all`: one process does everything (the default). `api`: the web/API tier, places sessions on
   * workers; `worker`: runs sessions for the API tier (docs/workers.md). Both need DATABASE_URL.
   */
  ROLE: z.enum(['all', 'api', 'worker']).default('all'),
  /** A file with the secret the API tier and workers share (≥ 32 bytes): signs tickets and their calls. */
  WORKER_SECRET_FILE: z.string().optional(),
  /** This worker's name in the registry; default: the host name. */
  WORKER_ID: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'letters, digits, ".", "_" and "-", at most 63')
    .optional(),
  /** Where the API tier reaches this worker (http://10.0.0.5:8090); default: from HOST and PORT. */
  WORKER_URL: z.url().optional(),
  /** Where browsers reach this worker's signaling (https://w1.example.com); default: WORKER_URL. */
  WORKER_PUBLIC_URL: z.url().optional(),
  /** A worker silent this long is lost: its sessions are ended and no session is placed on it. */
  WORKER_LOST_AFTER: duration('6s', 2000, '2s'),
  /** Outgoing mail (client invitations): smtp://user:pass@host:587 (STARTTLS when offered) or smtps://…:465. */
  SMTP_URL: z
    .url()
    .refine((u) => /^smtps?:\/\/[^/]/.test(u), 'expected smtp://[user:password@]host[:port] or smtps://…')
    .optional(),
  /** The sender of that mail, e.g. `Vitrine <vitrine@example.com>`. */
  MAIL_FROM: z.string().max(320).optional(),
});

export type Env = z.infer<typeof envSchema>;
