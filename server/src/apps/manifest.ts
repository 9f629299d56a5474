import { z } from 'zod';
import { parseSize } from '../config/units.ts';
import { SYSCALL_PROFILES } from '../sandbox/syscall-profiles.ts';

const memory = z
  .union([z.number().int().positive(), z.string().regex(/^\d+(\.\d+)?[KMG]$/i, 'e.g. "512M" or "1G"')])
  .transform((v) => (typeof v === 'number' ? v : parseSize(v)))
  .refine((bytes) => bytes > 0, 'memory limit must be more than 0 bytes');

/** A path the app asks for, relative to the session's granted root; applied by the sandbox. */
const permission = z
  .object({
    path: z.string().min(1).max(4096),
    access: z.array(z.enum(['read', 'write', 'delete'])).min(1),
  })
  .strict();

export const Manifest = z
  .object({
    name: z.string().min(1).max(100),
    version: z.string().min(1).max(50),
    description: z.string().max(1000).default(''),
    type: z.literal('x11'),
    binary: z
      .string()
      .min(1)
      .max(255)
      .refine((p) => !p.startsWith('/') && !p.split('/').includes('..'), 'must be a path inside the app folder'),
    args: z.array(z.string().max(4096)).max(64).default([]),
    permissions: z.array(permission).max(64).default([]),
    /** "loopback": the app may use TCP on the sandbox's own loopback (never beyond it). */
    network: z.enum(['none', 'loopback']).default('none'),
    /**
     * "node": the server's own Node.js installation is mounted read-only at /opt/vitrine/node
     * and put first on PATH, for apps written in JavaScript/TypeScript (no copy in the app).
     */
    runtime: z.enum(['node']).optional(),
    /**
     * true: the app may play sound. Its session gets a sound server with one output and no
     * input (server/src/audio/), and the viewer an audio track; without it there is neither.
     */
    audio: z.boolean().default(false),
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
        z
          .string()
          .min(1)
          .max(255)
          .refine((p) => !p.startsWith('/') && !p.split('/').includes('..'), 'must be a path inside the app folder'),
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
  })
  .strict();
export type Manifest = z.infer<typeof Manifest>;
