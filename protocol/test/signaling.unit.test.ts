import { describe, expect, it } from 'vitest';
import { MAX_SIGNAL_BYTES, parseClientSignal } from '../src/signaling.ts';

function ok(raw: string) {
  const r = parseClientSignal(raw);
  if (!r.ok) throw new Error(`expected ok for ${raw.slice(0, 200)}, got ${r.error}`);
  return r.message;
}

function err(raw: string): string {
  const r = parseClientSignal(raw);
  if (r.ok) throw new Error(`expected error for ${raw.slice(0, 200)}, got ${JSON.stringify(r.message)}`);
  expect(typeof r.error).toBe('string');
  expect(r.error.length).toBeGreaterThan(0);
  return r.error;
}

const SDP = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n';
const CANDIDATE = 'candidate:1 1 udp 2122260223 192.168.1.2 54321 typ host';

describe('parseClientSignal: accepted messages', () => {
  it('accepts an answer', () => {
    expect(ok(JSON.stringify({ type: 'answer', sdp: SDP }))).toEqual({ type: 'answer', sdp: SDP });
  });

  it('accepts an ice-candidate with sdpMid and sdpMLineIndex', () => {
    const candidate = { candidate: CANDIDATE, sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'abcd' };
    expect(ok(JSON.stringify({ type: 'ice-candidate', candidate }))).toEqual({ type: 'ice-candidate', candidate });
  });

  it('accepts an ice-candidate without sdpMid', () => {
    const candidate = { candidate: CANDIDATE, sdpMLineIndex: 1 };
    expect(ok(JSON.stringify({ type: 'ice-candidate', candidate }))).toEqual({ type: 'ice-candidate', candidate });
  });

  it('accepts null sdpMid / sdpMLineIndex / usernameFragment as browsers send them', () => {
    const candidate = { candidate: CANDIDATE, sdpMid: null, sdpMLineIndex: null, usernameFragment: null };
    expect(ok(JSON.stringify({ type: 'ice-candidate', candidate }))).toEqual({ type: 'ice-candidate', candidate });
  });

  it('accepts the end-of-candidates marker (null candidate) and an empty candidate string', () => {
    expect(ok('{"type":"ice-candidate","candidate":null}')).toEqual({ type: 'ice-candidate', candidate: null });
    expect(ok('{"type":"ice-candidate","candidate":{"candidate":""}}')).toEqual({
      type: 'ice-candidate',
      candidate: { candidate: '' },
    });
  });

  it('accepts bye', () => {
    expect(ok('{"type":"bye"}')).toEqual({ type: 'bye' });
  });

  it('accepts limits exactly at the boundary', () => {
    expect(
      ok(JSON.stringify({ type: 'ice-candidate', candidate: { candidate: 'x'.repeat(1024), sdpMLineIndex: 15 } })),
    ).toMatchObject({ candidate: { sdpMLineIndex: 15 } });
    // A whole frame of exactly MAX_SIGNAL_BYTES characters.
    const overhead = JSON.stringify({ type: 'answer', sdp: '' }).length;
    const raw = JSON.stringify({ type: 'answer', sdp: 'a'.repeat(MAX_SIGNAL_BYTES - overhead) });
    expect(raw.length).toBe(MAX_SIGNAL_BYTES);
    expect(ok(raw).type).toBe('answer');
  });
});

describe('parseClientSignal: rejected messages', () => {
  it('rejects text that is not JSON', () => {
    expect(err('not json')).toBe('not JSON');
    expect(err('{"type":"bye"')).toBe('not JSON');
    expect(err('')).toBe('not JSON');
  });

  it('rejects JSON that is not an object', () => {
    for (const raw of ['null', '42', '"bye"', '[]', 'true']) err(raw);
  });

  it('rejects an unknown or missing type and names the field', () => {
    expect(err('{"type":"offer","sdp":"v=0"}')).toMatch(/^type: /);
    const e = err('{"type":"hello"}');
    expect(e).toMatch(/^type: /);
    expect(e).toMatch(/answer.*ice-candidate.*bye/);
    expect(err('{"sdp":"v=0"}')).toMatch(/^type: /);
  });

  it('rejects extra properties at the top level, naming the key', () => {
    const e = err('{"type":"bye","extra":1}');
    expect(e).toMatch(/extra/);
    expect(e).toMatch(/unrecognized/i);
    expect(err(JSON.stringify({ type: 'answer', sdp: SDP, evil: true }))).toMatch(/evil/);
  });

  it('rejects extra properties inside a candidate, naming the key', () => {
    const e = err(JSON.stringify({ type: 'ice-candidate', candidate: { candidate: CANDIDATE, port: 1 } }));
    expect(e).toMatch(/^candidate: /);
    expect(e).toMatch(/port/);
  });

  it('rejects wrong field types, naming the field', () => {
    expect(err('{"type":"answer","sdp":5}')).toMatch(/^sdp: /);
    expect(err('{"type":"answer"}')).toMatch(/^sdp: /);
    expect(err('{"type":"answer","sdp":""}')).toMatch(/^sdp: /);
    expect(err('{"type":"ice-candidate","candidate":"candidate:1"}')).toMatch(/^candidate: /);
    expect(err('{"type":"ice-candidate"}')).toMatch(/^candidate: /);
    expect(err('{"type":"ice-candidate","candidate":{"candidate":7}}')).toMatch(/^candidate\.candidate: /);
    expect(err('{"type":"ice-candidate","candidate":{"candidate":"x","sdpMid":0}}')).toMatch(/^candidate\.sdpMid: /);
    expect(err('{"type":"ice-candidate","candidate":{"candidate":"x","sdpMLineIndex":"0"}}')).toMatch(
      /^candidate\.sdpMLineIndex: /,
    );
    expect(err('{"type":"ice-candidate","candidate":{"candidate":"x","sdpMLineIndex":0.5}}')).toMatch(
      /^candidate\.sdpMLineIndex: /,
    );
  });

  it('rejects a frame longer than MAX_SIGNAL_BYTES before parsing it', () => {
    const overhead = JSON.stringify({ type: 'answer', sdp: '' }).length;
    const raw = JSON.stringify({ type: 'answer', sdp: 'a'.repeat(MAX_SIGNAL_BYTES - overhead + 1) });
    expect(raw.length).toBe(MAX_SIGNAL_BYTES + 1);
    expect(err(raw)).toBe('message too large');
    // Even garbage is reported as too large, proving the size check runs first.
    expect(err('x'.repeat(MAX_SIGNAL_BYTES + 1))).toBe('message too large');
  });

  it('rejects a candidate string over 1024 characters', () => {
    const e = err(JSON.stringify({ type: 'ice-candidate', candidate: { candidate: 'x'.repeat(1025) } }));
    expect(e).toMatch(/^candidate\.candidate: /);
    expect(e).toMatch(/1024/);
  });

  it('rejects over-long sdpMid and usernameFragment', () => {
    expect(
      err(JSON.stringify({ type: 'ice-candidate', candidate: { candidate: 'x', sdpMid: 'm'.repeat(33) } })),
    ).toMatch(/^candidate\.sdpMid: /);
    expect(
      err(JSON.stringify({ type: 'ice-candidate', candidate: { candidate: 'x', usernameFragment: 'u'.repeat(257) } })),
    ).toMatch(/^candidate\.usernameFragment: /);
  });

  it('rejects sdpMLineIndex outside 0..15', () => {
    const e1 = err(JSON.stringify({ type: 'ice-candidate', candidate: { candidate: 'x', sdpMLineIndex: 16 } }));
    expect(e1).toMatch(/^candidate\.sdpMLineIndex: /);
    expect(e1).toMatch(/15/);
    const e2 = err(JSON.stringify({ type: 'ice-candidate', candidate: { candidate: 'x', sdpMLineIndex: -1 } }));
    expect(e2).toMatch(/^candidate\.sdpMLineIndex: /);
    expect(e2).toMatch(/0/);
  });

  it('reports several problems in one human-readable string', () => {
    const e = err(JSON.stringify({ type: 'ice-candidate', candidate: { candidate: 5, sdpMLineIndex: 99 } }));
    expect(e).toMatch(/candidate\.candidate: /);
    expect(e).toMatch(/candidate\.sdpMLineIndex: /);
    expect(e).toContain('; ');
    expect(e).not.toMatch(/\[object Object\]|^\s*\{/);
  });

  it('never throws on hostile input', () => {
    const hostile = [
      '{"__proto__":{"type":"bye"}}',
      '{"type":"bye","__proto__":{"x":1}}',
      '{"constructor":{"prototype":{}}}',
      '['.repeat(5000) + ']'.repeat(5000),
      '{"type":"ice-candidate","candidate":{"candidate":"x","sdpMLineIndex":1e309}}',
      '\u0000\uffff',
    ];
    for (const raw of hostile) expect(() => parseClientSignal(raw)).not.toThrow();
  });
});
