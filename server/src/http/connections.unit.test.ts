import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.ts';
import { connectionCap, openFileLimit, serverTimeouts } from './connections.ts';

const base = { RUNTIME_DIR: os.tmpdir() };

describe('connection limits', () => {
  it('caps connections below the open-file limit', () => {
    expect(connectionCap(null, 20_000)).toBe(10_000);
    expect(connectionCap(500, 20_000)).toBe(500);
    // Sessions, files and the database need descriptors too: never more than three quarters.
    expect(connectionCap(1_000_000, 20_000)).toBe(15_000);
    expect(connectionCap(null, null)).toBe(10_000);
    const limit = openFileLimit();
    expect(limit === null || limit > 0).toBe(true);
  });

  it('are read from the environment, with defaults', () => {
    const defaults = loadConfig(base).http;
    expect(defaults.connections).toEqual({
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      idleTimeoutMs: 60_000,
      keepAliveTimeoutMs: 72_000,
      maxPerAddress: 128,
      max: null,
    });
    expect(defaults.trustedProxies).toEqual([]);
    const set = loadConfig({
      ...base,
      HTTP_HEADERS_TIMEOUT: '2s',
      MAX_CONNECTIONS: '500',
      TRUSTED_PROXIES: '127.0.0.1, 10.0.0.0/8,2001:db8::/32',
    }).http;
    expect(set.connections).toMatchObject({ headersTimeoutMs: 2000, max: 500 });
    expect(set.trustedProxies).toEqual(['127.0.0.1', '10.0.0.0/8', '2001:db8::/32']);
    expect(serverTimeouts(set.connections)).toMatchObject({ headersTimeout: 2000, requestTimeout: 0 });
    expect(() => loadConfig({ ...base, TRUSTED_PROXIES: 'proxy.example' })).toThrow(/TRUSTED_PROXIES: expected IP/);
    expect(() => loadConfig({ ...base, TRUSTED_PROXIES: '10.0.0.0/33' })).toThrow(/TRUSTED_PROXIES/);
    expect(() => loadConfig({ ...base, HTTP_HEADERS_TIMEOUT: '10' })).toThrow(/HTTP_HEADERS_TIMEOUT/);
  });
});
