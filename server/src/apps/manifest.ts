import { z } from 'zod';
import { parseSize } from '../config/units.ts';
import { SYSCALL_PROFILES } from '../sandbox/syscall-profiles.ts';

/*
 * An app's manifest.json (docs/app-manifest.md). Two versions are read:
 * - 1 (no "manifest" field): what every app had before capabilities. It keeps exactly what it
 *   got then: the control channel, writable grants, its top-level "audio" and "network".
 * - 2 ("manifest": 2): nothing beyond plain X11 unless declared in "capabilities", and a
 *   manifest that contradicts itself is refused at discovery with the reason.
 * Both are turned into one `Manifest` the rest of the server reads.
 */

const memory = z
  .union([z.number().int().positive(), z.string().regex(/^\d+(\.\d+)?[KMG]$/i, 'e.g. "512M" or "1G"')])
  .transform((v) => (typeof v === 'number' ? v : parseSize(v)))
  .refine((bytes) => bytes > 0, 'memory limit must be more than 0 bytes');

const insideApp = (p: string) => !p.startsWith('/') && !p.split('/').includes('..');

/** A path the app asks for, relative to the session's granted root; applied by the sandbox. */
const permission = z
  .object({
    path: z.string().min(1).max(4096),
    access: z.array(z.enum(['read', 'write', 'delete'])).min(1),
  })
  .strict();

const fields = {
  name: z.string().min(1).max(100),
  version: z.string().min(1).max(50),
  description: z.string().max(1000).default(''),
  type: z.literal('x11'),
  binary: z.string().min(1).max(255).refine(insideApp, 'must be a path inside the app folder'),
  args: z.array(z.string().max(4096)).max(64).default([]),
  permissions: z.array(permission).max(64).default([]),
  /**
   * "node": the server's own Node.js installation is mounted read-only at /opt/vitrine/node
   * and put first on PATH, for apps written in JavaScript/TypeScript (no copy in the app).
   */
  runtime: z.enum(['node']).optional(),
  /**
   * The seccomp allow-list of the app's sandbox (server/src/sandbox/syscalls/): "base" (the
   * strictest: plain X11 apps) or "browser" (Chromium, Node.js, LibreOffice). A syscall on
   * neither the list nor the platform's fails with ENOSYS.
   */
  syscalls: z.enum(SYSCALL_PROFILES).default('base'),
  /**
   * Configuration files of the app shown under /etc in its sandbox (read-only), e.g. a browser's
   * managed policy: { "chromium/policies/managed/app.json": "chromium-policy.json" }.
   */
  etc: z
    .record(
      z
        .string()
        .max(255)
        .regex(/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/, 'a relative path under /etc')
        .refine((p) => !p.split('/').some((s) => s === '.' || s === '..'), 'a relative path under /etc'),
      z.string().min(1).max(255).refine(insideApp, 'must be a path inside the app folder'),
    )
    .default({})
    .refine((r) => Object.keys(r).length <= 16, 'at most 16 files'),
  resources: z
    .object({
      cpu: z.number().positive().max(64).optional(),
      memory: memory.optional(),
      pids: z.number().int().positive().max(100000).optional(),
    })
    .strict()
    .default({}),
  video: z
    .object({
      width: z.number().int().min(64).max(3840).multipleOf(2),
      height: z.number().int().min(64).max(2160).multipleOf(2),
      framerate: z.number().int().min(1).max(60),
      /**
       * true: the picture follows the viewer's window (the display is made as large as the
       * server allows and the app's top-level window is sized to the viewer's video area);
       * width and height are then only its size until the viewer reports one.
       */
      resizable: z.boolean().default(false),
    })
    .strict()
    .default({ width: 1280, height: 720, framerate: 30, resizable: false }),
};

/** "loopback": the app may use TCP on the sandbox's own loopback (never beyond it). */
const network = z.enum(['none', 'loopback']);

const ManifestV1 = z
  .object({
    manifest: z.literal(1),
    ...fields,
    network: network.default('none'),
    /**
     * true: the app may play sound. Its session gets a sound server with one output and no
     * input (server/src/audio/), and the viewer an audio track; without it there is neither.
     */
    audio: z.boolean().default(false),
  })
  .strict();

/** What a version 2 app declares it uses; anything not declared it does not get. */
const Capabilities = z
  .object({
    /** The per-session control channel (VITRINE_CONTROL_SOCKET, docs/app-control-channel.md). */
    control: z.boolean().default(false),
    /** Sound: a sound server in the sandbox and an audio track to the viewer. */
    audio: z.boolean().default(false),
    network: network.default('none'),
    /** Grants may be writable (write, delete); false: every grant is mounted read-only. */
    writableGrants: z.boolean().default(false),
    /** The largest picture the app can draw; absent: the server's (VIDEO_MAX_WIDTH x VIDEO_MAX_HEIGHT). */
    maxResolution: z
      .object({
        width: z.number().int().min(320).max(3840).multipleOf(8),
        height: z.number().int().min(240).max(2160).multipleOf(2),
      })
      .strict()
      .optional(),
    /**
     * The app takes its grants and what to open only from the control channel's `init` (never
     * VITRINE_GRANTS / VITRINE_OPEN) and waits for it however long that takes: the server may
     * start it before its session exists and bind it to one later.
     */
    warmStart: z.boolean().default(false),
  })
  .strict();

/** A field of version 1 that version 2 moved into `capabilities`: named, rather than "unrecognized key". */
const movedToCapabilities = (name: string) =>
  z.never({ error: `version 2 declares this as capabilities.${name}` }).optional();

const ManifestV2 = z
  .object({
    manifest: z.literal(2),
    ...fields,
    /** "admin": listed to admins only (test apps); anyone allowed to launch it still may, by id. */
    audience: z.enum(['everyone', 'admin']).default('everyone'),
    capabilities: Capabilities.default({
      control: false,
      audio: false,
      network: 'none',
      writableGrants: false,
      warmStart: false,
    }),
    audio: movedToCapabilities('audio'),
    network: movedToCapabilities('network'),
  })
  .strict()
  .superRefine((m, ctx) => {
    for (const problem of contradictions(m)) ctx.addIssue({ code: 'custom', ...problem });
  });

type ManifestV2 = z.output<typeof ManifestV2>;

/** What a version 2 manifest says against itself (each with where it says it). */
function contradictions(m: ManifestV2): Array<{ path: Array<string | number>; message: string }> {
  const found: Array<{ path: Array<string | number>; message: string }> = [];
  m.permissions.forEach((p, i) => {
    const where = ['permissions', i];
    const writes = p.access.filter((a) => a !== 'read');
    if (writes.length && !m.capabilities.writableGrants) {
      found.push({
        path: [...where, 'access'],
        message: `asks for ${writes.join(' and ')} but capabilities.writableGrants is not true`,
      });
    }
    if (p.access.includes('delete') && !p.access.includes('write')) {
      found.push({ path: [...where, 'access'], message: 'delete without write (deleting needs a writable grant)' });
    }
    const normal = p.path.replace(/\/+$/, '').split('/');
    if (p.path.startsWith('/') || normal.includes('..')) {
      found.push({ path: [...where, 'path'], message: 'must be relative to the granted folder, without ".."' });
    }
  });
  if (m.capabilities.warmStart && !m.capabilities.control) {
    found.push({
      path: ['capabilities', 'warmStart'],
      message: 'needs capabilities.control (a warm-started app learns its session only from the control channel)',
    });
  }
  const max = m.capabilities.maxResolution;
  if (max && (m.video.width > max.width || m.video.height > max.height)) {
    found.push({
      path: ['video'],
      message: `${m.video.width}x${m.video.height} is larger than capabilities.maxResolution ${max.width}x${max.height}`,
    });
  }
  return found;
}

/** What a session may use beyond a plain X11 display, whichever version declared it. */
export interface Capabilities {
  control: boolean;
  audio: boolean;
  network: 'none' | 'loopback';
  writableGrants: boolean;
  /** null: no cap of the app's own (the server's VIDEO_MAX_WIDTH x VIDEO_MAX_HEIGHT). */
  maxResolution: { width: number; height: number } | null;
  /** The server may start the app before its session exists (it waits for `init`); always with `control`. */
  warmStart: boolean;
}

type Common = Omit<z.output<typeof ManifestV1>, 'manifest' | 'network' | 'audio'>;

/** A manifest as the server reads it, whichever version the file was. */
export interface Manifest extends Common {
  manifest: 1 | 2;
  /** Who sees the app in the list of apps ("admin": test apps). */
  audience: 'everyone' | 'admin';
  capabilities: Capabilities;
}

/** The file's version: absent is 1 (manifests written before versions existed). */
const withVersion = (raw: unknown) =>
  raw !== null && typeof raw === 'object' && !Array.isArray(raw) && !('manifest' in raw)
    ? { ...raw, manifest: 1 }
    : raw;

export const Manifest = z
  .preprocess(
    withVersion,
    z.discriminatedUnion('manifest', [ManifestV1, ManifestV2], {
      error: 'the version must be 1 (or absent) or 2',
    }),
  )
  .transform((m): Manifest => {
    if (m.manifest === 1) {
      const { audio, network, ...rest } = m;
      // Version 1 keeps what every app got before capabilities existed: nothing changes for it.
      const capabilities = {
        control: true,
        audio,
        network,
        writableGrants: true,
        maxResolution: null,
        // Apps of version 1 read VITRINE_GRANTS and start with their session.
        warmStart: false,
      };
      return { ...rest, audience: 'everyone', capabilities };
    }
    const { audio: _audio, network: _network, capabilities, ...rest } = m;
    return { ...rest, capabilities: { ...capabilities, maxResolution: capabilities.maxResolution ?? null } };
  });
