import fs from 'node:fs';
import { isIP } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { parseDuration, parseSize } from './units.ts';

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

const duration = (fallback: string, minMs: number, hint: string) =>
  z
    .string()
    .default(fallback)
    .transform(parseDuration)
    .refine((n) => n >= minMs, `expected a duration of at least ${hint}, e.g. 30m, 12h or 7d`);

const bool = z.enum(['0', '1', 'true', 'false']).transform((v) => v === '1' || v === 'true');

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('127.0.0.1'),
  PUBLIC_URL: z.url().optional(),
  /** PEM files; both together turn on HTTPS (and WSS). */
  TLS_CERT: z.string().optional(),
  TLS_KEY: z.string().optional(),
  /** Plain HTTP on a non-loopback address: only behind a TLS-terminating proxy. */
  ALLOW_INSECURE_HTTP: bool.default(false),
  DATA_DIR: z.string().default(path.join(repoRoot, 'var')),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'expected a postgresql:// URL')
    .optional(),
  RUNTIME_DIR: z.string().optional(),
  APPS_ROOT: z.string().default(path.join(repoRoot, 'apps')),
  WEB_DIST: z.string().default(path.join(repoRoot, 'web', 'dist')),
  MAX_SESSIONS: z.coerce.number().int().min(1).max(1000).default(4),
  MAX_SESSIONS_PER_USER: z.coerce.number().int().min(1).max(1000).default(2),
  SESSION_LAUNCHES_PER_MINUTE: z.coerce.number().int().min(1).max(100000).default(20),
  SESSION_IDLE_TIMEOUT: duration('15m', 2000, '2s'),
  SESSION_START_TIMEOUT_MS: z.coerce.number().int().min(1000).default(15000),
  PEER_GRACE_MS: z.coerce.number().int().min(0).default(30000),
  INPUT_RATE_PER_SECOND: z.coerce.number().int().min(10).max(10000).default(400),
  VIDEO_BITRATE_KBPS: z.coerce.number().int().min(200).max(50000).default(3000),
  KEYFRAME_INTERVAL_S: z.coerce.number().min(0.5).max(60).default(2),
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
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SANDBOX_ALLOW_DEGRADED: bool.default(false),
  SANDBOX_MEMORY: size('512M', 16 * 2 ** 20, '16M'),
  SANDBOX_PIDS: z.coerce.number().int().min(16).max(100000).default(256),
  SANDBOX_CPU: z.coerce.number().min(0.05).max(64).default(1),
  STORAGE_DIR: z.string().optional(),
  MAX_UPLOAD_SIZE: size('2G', 1024, '1K'),
  OWNER_QUOTA: size('20G', 1024, '1K'),
  TRASH_RETENTION_DAYS: z.coerce.number().min(0).max(3650).default(30),
  SIGNIN_IDLE_TIMEOUT: duration('30m', 60_000, '1m'),
  SIGNIN_MAX_AGE: duration('12h', 60_000, '1m'),
  INVITATION_TTL: duration('7d', 60_000, '1m'),
  /** 0 keeps audit events forever. */
  AUDIT_RETENTION_DAYS: z.coerce.number().int().min(0).max(36500).default(0),
  EXPIRY_CHECK_INTERVAL: duration('30s', 1000, '1s'),
});

export type Config = Omit<
  z.infer<typeof schema>,
  'RUNTIME_DIR' | 'PUBLIC_URL' | 'WEBRTC_ICE_ADDRESSES' | 'STORAGE_DIR'
> & {
  RUNTIME_DIR: string;
  STORAGE_DIR: string;
  /** Origin only (no path): what browsers use, the WebAuthn relying party and the origin checked. */
  PUBLIC_URL: string;
  /** null = gather host candidates on every interface. */
  WEBRTC_ICE_ADDRESSES: string[] | null;
};

export class ConfigError extends Error {}

/** Reads and validates the whole configuration once; every setting is documented in README.md. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable means "not set", as in most shells' `VAR= cmd` usage.
  const defined = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
  const parsed = schema.safeParse(defined);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  const runtimeBase = c.RUNTIME_DIR ?? defaultRuntimeDir();
  const addresses = c.WEBRTC_ICE_ADDRESSES.trim();
  const list = addresses
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  if (addresses !== 'all') {
    const bad = list.find((a) => !isIP(a));
    const v4 = list.filter((a) => isIP(a) === 4).length;
    const v6 = list.filter((a) => isIP(a) === 6).length;
    // werift binds all its ICE sockets of one family to a single interface address.
    if (bad || v4 > 1 || v6 > 1 || list.length === 0) {
      throw new ConfigError(
        `invalid configuration:\n  WEBRTC_ICE_ADDRESSES: expected "all" or at most one IPv4 and one IPv6 address${bad ? ` ("${bad}" is not an IP address)` : ''}`,
      );
    }
  }
  if (c.TURN_URLS.length > 0 !== (c.TURN_SECRET !== undefined)) {
    throw new ConfigError(
      "invalid configuration:\n  TURN_URLS, TURN_SECRET: set both (the TURN server's URLs and its static-auth-secret) or neither",
    );
  }
  if (
    c.ICE_TRANSPORT_POLICY === 'relay' &&
    c.TURN_URLS.length === 0 &&
    !c.ICE_SERVERS.some((s) => [s.urls].flat().some((u) => u.startsWith('turn')))
  ) {
    throw new ConfigError(
      'invalid configuration:\n  ICE_TRANSPORT_POLICY: relay needs a TURN server (TURN_URLS and TURN_SECRET, or ICE_SERVERS)',
    );
  }
  if ((c.TLS_CERT === undefined) !== (c.TLS_KEY === undefined)) {
    throw new ConfigError(
      'invalid configuration:\n  TLS_CERT, TLS_KEY: set both (a PEM certificate chain and its private key) or neither',
    );
  }
  for (const [name, file] of [
    ['TLS_CERT', c.TLS_CERT],
    ['TLS_KEY', c.TLS_KEY],
  ] as const) {
    if (file !== undefined && !fs.existsSync(file))
      throw new ConfigError(`invalid configuration:\n  ${name}: ${file} does not exist`);
  }
  if (!c.TLS_CERT && !c.ALLOW_INSECURE_HTTP && !isLoopback(c.HOST)) {
    throw new ConfigError(
      `invalid configuration:\n  HOST: ${c.HOST} is not a loopback address and TLS is off. Set TLS_CERT and TLS_KEY, ` +
        'or ALLOW_INSECURE_HTTP=1 when a TLS-terminating reverse proxy is in front (see "Deploying securely" in the README)',
    );
  }
  if (c.PUBLIC_URL) {
    const u = new URL(c.PUBLIC_URL);
    if (!/^https?:$/.test(u.protocol) || (u.pathname !== '/' && u.pathname !== '') || u.search || u.hash) {
      throw new ConfigError(
        'invalid configuration:\n  PUBLIC_URL: expected an http(s) origin without a path, e.g. https://vitrine.example.com',
      );
    }
  }
  const dataDir = path.resolve(c.DATA_DIR);
  return {
    ...c,
    RUNTIME_DIR: path.resolve(runtimeBase),
    DATA_DIR: dataDir,
    STORAGE_DIR: path.resolve(c.STORAGE_DIR ?? path.join(dataDir, 'storage')),
    APPS_ROOT: path.resolve(c.APPS_ROOT),
    PUBLIC_URL: c.PUBLIC_URL ? new URL(c.PUBLIC_URL).origin : defaultPublicUrl(c.HOST, c.PORT, !!c.TLS_CERT),
    WEBRTC_ICE_ADDRESSES: addresses === 'all' ? null : list,
  };
}

// Passkeys need a domain name (not an IP address) and, over plain http, the name "localhost";
// so a server on loopback or on every interface is reached as http://localhost:PORT by default.
function defaultPublicUrl(host: string, port: number, tls: boolean): string {
  const scheme = tls ? 'https' : 'http';
  if (['127.0.0.1', '::1', 'localhost', '0.0.0.0', '::'].includes(host)) return `${scheme}://localhost:${port}`;
  return `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** Addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

// Frame buffers are read up to 30 times a second: keep them in memory (tmpfs), not on disk.
function defaultRuntimeDir(): string {
  return path.join(process.platform === 'linux' ? '/dev/shm' : os.tmpdir(), 'vitrine');
}
