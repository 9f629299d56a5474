import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';
import { parseListenAddress } from './env.ts';

describe('METRICS_LISTEN', () => {
  it('is off unless set: no operator listener by default', () => {
    expect(loadConfig({}).metrics.listen).toBeNull();
    expect(loadConfig({ METRICS_LISTEN: '' }).metrics.listen).toBeNull();
  });

  it('takes an IPv4 or a bracketed IPv6 address and a port', () => {
    expect(loadConfig({ METRICS_LISTEN: '127.0.0.1:9464' }).metrics.listen).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(loadConfig({ METRICS_LISTEN: '[::1]:9464' }).metrics.listen).toEqual({ host: '::1', port: 9464 });
    expect(loadConfig({ METRICS_LISTEN: '10.0.0.5:9100' }).metrics.listen).toEqual({ host: '10.0.0.5', port: 9100 });
    // Port 0: a free port, for tests.
    expect(loadConfig({ METRICS_LISTEN: '127.0.0.1:0' }).metrics.listen).toEqual({ host: '127.0.0.1', port: 0 });
  });

  it('refuses anything that is not an address and a port', () => {
    for (const bad of [
      'localhost:9464',
      '9464',
      '127.0.0.1',
      '127.0.0.1:',
      '127.0.0.1:65536',
      '127.0.0.1:-1',
      '127.0.0.1:94a',
      '::1:9464',
      '[127.0.0.1]:9464',
      '[::1]',
      'http://127.0.0.1:9464',
      '127.0.0.1:9464/metrics',
      '300.0.0.1:9464',
    ]) {
      expect(parseListenAddress(bad), bad).toBeNull();
      expect(() => loadConfig({ METRICS_LISTEN: bad }), bad).toThrow(
        /METRICS_LISTEN: expected an IP address and a port/,
      );
    }
  });

  it("refuses the main port's own port", () => {
    expect(() => loadConfig({ PORT: '9464', METRICS_LISTEN: '127.0.0.1:9464' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: '9464', METRICS_LISTEN: '127.0.0.1:9464' })).toThrow(/METRICS_LISTEN: port 9464/);
  });
});
