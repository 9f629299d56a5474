import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Manifest } from './manifest.ts';

const V1 = { name: 'Hello', version: '1.0.0', type: 'x11', binary: 'bin/hello' };
const V2 = { manifest: 2, ...V1 };

/** The reasons a manifest is refused, as discovery logs them ("path: message"), or "ok". */
function verdict(json: unknown): string {
  const r = Manifest.safeParse(json);
  return r.success ? 'ok' : r.error.issues.map((i) => `${i.path.join('.') || 'manifest'}: ${i.message}`).join('; ');
}

describe('manifest version 1 (no "manifest" field)', () => {
  it('keeps what apps got before capabilities: the control channel, writable grants, its audio and network', () => {
    const m = Manifest.parse({
      ...V1,
      audio: true,
      network: 'loopback',
      permissions: [{ path: '.', access: ['read', 'write', 'delete'] }],
    });
    expect(m.manifest).toBe(1);
    expect(m.audience).toBe('everyone');
    expect(m.capabilities).toEqual({
      control: true,
      audio: true,
      network: 'loopback',
      writableGrants: true,
      maxResolution: null,
      warmStart: false,
    });
    expect(m).not.toHaveProperty('audio');
    expect(m).not.toHaveProperty('network');
  });

  it('accepts "manifest": 1 written out, and nothing of version 2', () => {
    expect(verdict({ ...V1, manifest: 1 })).toBe('ok');
    expect(verdict({ ...V1, capabilities: { control: true } })).toMatch(/capabilities/);
    expect(verdict({ ...V1, audience: 'admin' })).toMatch(/audience/);
  });
});

describe('manifest version 2', () => {
  it('grants nothing that is not declared', () => {
    const m = Manifest.parse(V2);
    expect(m.manifest).toBe(2);
    expect(m.audience).toBe('everyone');
    expect(m.capabilities).toEqual({
      control: false,
      audio: false,
      network: 'none',
      writableGrants: false,
      maxResolution: null,
      warmStart: false,
    });
  });

  it('takes what a consistent manifest declares', () => {
    const m = Manifest.parse({
      ...V2,
      audience: 'admin',
      capabilities: {
        control: true,
        audio: true,
        network: 'loopback',
        writableGrants: true,
        maxResolution: { width: 1920, height: 1080 },
        warmStart: true,
      },
      permissions: [{ path: 'docs', access: ['read', 'write', 'delete'] }],
      video: { width: 1920, height: 1080, framerate: 30, resizable: true },
    });
    expect(m.audience).toBe('admin');
    expect(m.capabilities).toEqual({
      control: true,
      audio: true,
      network: 'loopback',
      writableGrants: true,
      maxResolution: { width: 1920, height: 1080 },
      warmStart: true,
    });
  });

  it('is refused when it asks for a warm start without the control channel', () => {
    expect(verdict({ ...V2, capabilities: { control: true, warmStart: true } })).toBe('ok');
    expect(verdict({ ...V2, capabilities: { warmStart: true } })).toBe(
      'capabilities.warmStart: needs capabilities.control (a warm-started app learns its session only from the control channel)',
    );
    expect(verdict({ ...V2, capabilities: { control: false, warmStart: true } })).toMatch(/^capabilities.warmStart: /);
    expect(verdict({ ...V2, capabilities: { warmStart: false } })).toBe('ok');
    expect(verdict({ ...V2, capabilities: { control: true, warmStart: 'yes' } })).toMatch(/capabilities.warmStart/);
  });

  it('is refused when it asks to write or delete without declaring writable grants', () => {
    const asks = (access: string[]) => verdict({ ...V2, permissions: [{ path: '.', access }] });
    expect(asks(['read'])).toBe('ok');
    expect(asks(['read', 'write'])).toBe(
      'permissions.0.access: asks for write but capabilities.writableGrants is not true',
    );
    expect(asks(['read', 'write', 'delete'])).toMatch(/asks for write and delete but capabilities.writableGrants/);
  });

  it('is refused for delete without write, and for a permission path outside the grant', () => {
    const caps = { writableGrants: true };
    expect(verdict({ ...V2, capabilities: caps, permissions: [{ path: '.', access: ['read', 'delete'] }] })).toMatch(
      /^permissions.0.access: delete without write/,
    );
    for (const p of ['/etc', '../other', 'a/../../b']) {
      expect(verdict({ ...V2, permissions: [{ path: p, access: ['read'] }] }), p).toMatch(/^permissions.0.path: /);
    }
  });

  it('is refused when its picture is larger than its own maximum resolution', () => {
    const max = { maxResolution: { width: 1280, height: 720 } };
    expect(verdict({ ...V2, capabilities: max, video: { width: 1280, height: 720, framerate: 30 } })).toBe('ok');
    expect(verdict({ ...V2, capabilities: max, video: { width: 1920, height: 720, framerate: 30 } })).toBe(
      'video: 1920x720 is larger than capabilities.maxResolution 1280x720',
    );
    // A maximum must be a size the encoder takes (widths by 8, heights by 2).
    expect(verdict({ ...V2, capabilities: { maxResolution: { width: 1281, height: 720 } } })).toMatch(
      /maxResolution.width/,
    );
  });

  it('names a version 1 field that moved into capabilities, and refuses unknown capabilities', () => {
    expect(verdict({ ...V2, audio: true })).toBe('audio: version 2 declares this as capabilities.audio');
    expect(verdict({ ...V2, network: 'loopback' })).toBe('network: version 2 declares this as capabilities.network');
    expect(verdict({ ...V2, capabilities: { gpu: true } })).toMatch(/gpu/);
    expect(verdict({ ...V2, capabilities: { control: 'yes' } })).toMatch(/capabilities.control/);
    expect(verdict({ ...V2, audience: 'clients' })).toMatch(/^audience: /);
  });

  it('refuses a version it does not know', () => {
    expect(verdict({ ...V1, manifest: 3 })).toMatch(/^manifest: the version must be 1 \(or absent\) or 2/);
    expect(verdict({ ...V1, manifest: '2' })).toMatch(/^manifest: /);
  });
});

describe('the bundled apps', () => {
  const appsDir = path.resolve(import.meta.dirname, '../../../apps');
  const bundled = (id: string) =>
    Manifest.parse(JSON.parse(fs.readFileSync(path.join(appsDir, id, 'manifest.json'), 'utf8')));

  it('the File Explorer declares the channel, sound, loopback, writable grants and a warm start, for everyone', () => {
    const m = bundled('file-explorer');
    expect(m.audience).toBe('everyone');
    expect(m.capabilities).toMatchObject({
      control: true,
      audio: true,
      network: 'loopback',
      writableGrants: true,
      warmStart: true,
    });
  });

  it('the test apps are for admins and declare nothing', () => {
    for (const id of ['diagnostics', 'xclock']) {
      const m = bundled(id);
      expect(m.audience, id).toBe('admin');
      expect(m.capabilities, id).toEqual({
        control: false,
        audio: false,
        network: 'none',
        writableGrants: false,
        maxResolution: null,
        warmStart: false,
      });
    }
  });
});
