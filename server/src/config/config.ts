import { isIP } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { parseSize } from './units.ts';

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

const bool = z.enum(['0', '1', 'true', 'false']).transform((v) => v === '1' || v === 'true');

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('127.0.0.1'),
  PUBLIC_URL: z.url().optional(),
  DATA_DIR: z.string().default(path.join(repoRoot, 'var')),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'expected a postgresql:// URL')
    .optional(),
  RUNTIME_DIR: z.string().optional(),
  APPS_ROOT: z.string().default(path.join(repoRoot, 'apps')),
  WEB_DIST: z.string().default(path.join(repoRoot, 'web', 'dist')),
  MAX_SESSIONS: z.coerce.number().int().min(1).max(1000).default(4),
  SESSION_START_TIMEOUT_MS: z.coerce.number().int().min(1000).default(15000),
  PEER_GRACE_MS: z.coerce.number().int().min(0).default(30000),
  INPUT_RATE_PER_SECOND: z.coerce.number().int().min(10).max(10000).default(400),
  VIDEO_BITRATE_KBPS: z.coerce.number().int().min(200).max(50000).default(3000),
  KEYFRAME_INTERVAL_S: z.coerce.number().min(0.5).max(60).default(2),
  WEBRTC_ICE_ADDRESSES: z.string().default('127.0.0.1'),
  WEBRTC_PUBLIC_IP: z.union([z.ipv4(), z.ipv6()]).optional(),
  WEBRTC_UDP_PORTS: portRange.optional(),
  ICE_SERVERS: iceServers.default([]),
  FFMPEG_PATH: z.string().default('ffmpeg'),
  BWRAP_PATH: z.string().default('bwrap'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SANDBOX_ALLOW_DEGRADED: bool.default(false),
  SANDBOX_MEMORY: z
    .string()
    .default('512M')
    .transform(parseSize)
    .refine((n) => n >= 16 * 2 ** 20, 'expected a size of at least 16M, e.g. 512M or 1G'),
  SANDBOX_PIDS: z.coerce.number().int().min(16).max(100000).default(256),
  SANDBOX_CPU: z.coerce.number().min(0.05).max(64).default(1),
});

export type Config = Omit<z.infer<typeof schema>, 'RUNTIME_DIR' | 'PUBLIC_URL' | 'WEBRTC_ICE_ADDRESSES'> & {
  RUNTIME_DIR: string;
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
  return {
    ...c,
    RUNTIME_DIR: path.resolve(runtimeBase),
    DATA_DIR: path.resolve(c.DATA_DIR),
    APPS_ROOT: path.resolve(c.APPS_ROOT),
    PUBLIC_URL: c.PUBLIC_URL ?? `http://${c.HOST.includes(':') ? `[${c.HOST}]` : c.HOST}:${c.PORT}`,
    WEBRTC_ICE_ADDRESSES: addresses === 'all' ? null : list,
  };
}

// Frame buffers are read up to 30 times a second: keep them in memory (tmpfs), not on disk.
function defaultRuntimeDir(): string {
  return path.join(process.platform === 'linux' ? '/dev/shm' : os.tmpdir(), 'vitrine');
}
