import { z } from 'zod';

/** Messages an app sends on its control channel (docs/app-control-channel.md). */

export const MAX_LINE_BYTES = 4096;

const SandboxPath = z
  .string()
  .min(1)
  .max(4096)
  .refine((p) => p.startsWith('/') && !p.includes('\0'), 'expected an absolute sandbox path');

export const AppEvent = z
  .object({
    v: z.literal(1),
    type: z.literal('event'),
    kind: z.enum([
      'folder-opened',
      'file-opened',
      'page-viewed',
      'video-started',
      'video-stopped',
      'renamed',
      'moved',
      'folder-created',
      'deleted',
    ]),
    path: SandboxPath,
    to: SandboxPath.optional(),
    page: z.number().int().min(1).max(1_000_000).optional(),
    position: z.number().min(0).max(1e7).optional(),
    /** For folder-opened: how many entries the folder showed. */
    entries: z.number().int().min(0).max(10_000_000).optional(),
  })
  .strict();
export type AppEvent = z.infer<typeof AppEvent>;

export const AppRequest = z
  .object({
    v: z.literal(1),
    type: z.literal('request'),
    id: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31),
    action: z.enum(['trash', 'move']),
    path: SandboxPath,
    /** For move: the new path, in the same shared folder. */
    to: SandboxPath.optional(),
  })
  .strict()
  .refine((r) => (r.action === 'move') === (r.to !== undefined), 'move needs "to"; trash takes none');
export type AppRequest = z.infer<typeof AppRequest>;

export const AppMessage = z.discriminatedUnion('type', [AppEvent, AppRequest]);
export type AppMessage = z.infer<typeof AppMessage>;

export function parseAppMessage(line: string): { ok: true; message: AppMessage } | { ok: false; error: string } {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return { ok: false, error: 'not JSON' };
  }
  const parsed = AppMessage.safeParse(json);
  if (!parsed.success) {
    return {
      ok: false,
      error: parsed.error.issues.map((i) => `${i.path.join('.') || 'message'}: ${i.message}`).join('; '),
    };
  }
  return { ok: true, message: parsed.data };
}
