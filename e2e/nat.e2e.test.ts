import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { inboundVideo, launchChromium, waitForStreaming } from './lib/browser.ts';
import { createNatLab, type NatLab } from './lib/nat.ts';
import { registerInBrowser } from './lib/passkeys.ts';

// The server sits behind a 1:1 NAT and only knows its private address; WEBRTC_PUBLIC_IP and
// WEBRTC_UDP_PORTS let a browser on the other side reach it.
let lab: NatLab;
let server: ChildProcess;
let browser: Browser;
let tmp: string;
const PORT = 8080;
// Passkeys need a host name and a secure context: the browser resolves this name to the NAT's
// public address and treats the plain-http origin as secure (what TLS would give in production).
const ORIGIN = `http://vitrine.test:${PORT}`;
let setupLink: string;

beforeAll(async () => {
  lab = createNatLab();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-nat-'));
  // nsenter enters only the network namespace (`ip netns exec` would also hide the host's
  // cgroup mounts, which the sandbox needs).
  server = spawn('nsenter', [`--net=/var/run/netns/${lab.serverNs}`, process.execPath, 'server/src/main.ts'], {
    cwd: path.resolve(import.meta.dirname, '..'),
    env: {
      ...process.env,
      HOST: lab.privateIp,
      // The lab's "LAN" is a namespace of this test; it is about media through NAT, not TLS.
      ALLOW_INSECURE_HTTP: '1',
      PORT: String(PORT),
      WEBRTC_ICE_ADDRESSES: lab.privateIp,
      WEBRTC_PUBLIC_IP: lab.publicIp,
      WEBRTC_UDP_PORTS: '40000-40100',
      RUNTIME_DIR: path.join(tmp, 'run'),
      DATA_DIR: path.join(tmp, 'data'),
      LOG_LEVEL: 'info',
      PUBLIC_URL: ORIGIN,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    server.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const link = /(http:\/\/vitrine\.test:\d+\/invite#[\w-]+)/.exec(out);
      if (link) {
        setupLink = link[1]!;
        resolve();
      }
    });
    server.on('exit', (code) => reject(new Error(`server exited (${code}): ${out.slice(-500)}`)));
  });
  const wrapper = path.join(tmp, 'chromium-in-client-ns');
  fs.writeFileSync(wrapper, `#!/bin/sh\nexec nsenter --net=/var/run/netns/${lab.clientNs} /usr/bin/chromium "$@"\n`, {
    mode: 0o755,
  });
  browser = await launchChromium(wrapper, [
    `--host-resolver-rules=MAP vitrine.test ${lab.publicIp}`,
    `--unsafely-treat-insecure-origin-as-secure=${ORIGIN}`,
  ]);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
  }
  lab?.destroy();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

it('streams to a browser on the far side of a 1:1 NAT through the advertised public address', async () => {
  const { page } = await registerInBrowser(
    browser,
    setupLink,
    { displayName: 'Nat', email: 'nat@example.test' },
    {
      apiUrl: ORIGIN,
    },
  );
  await page.goto(`${ORIGIN}/apps?codec=h264`);
  await page.getByTestId('launch-diagnostics').click();
  await waitForStreaming(page, 30_000);
  const a = await inboundVideo(page);
  await page.waitForTimeout(2000); // a rate needs a time window
  const b = await inboundVideo(page);
  expect(((b.framesDecoded - a.framesDecoded) * 1000) / (b.at - a.at)).toBeGreaterThan(20);
  const remote = await page.evaluate(async () => {
    const pc: RTCPeerConnection = (window as any).__vitrine.pc;
    const stats = await pc.getStats();
    let pairId: string | undefined;
    stats.forEach((s: any) => {
      if (s.type === 'transport') pairId = s.selectedCandidatePairId;
    });
    const pair: any = pairId ? stats.get(pairId) : undefined;
    const cand: any = pair ? stats.get(pair.remoteCandidateId) : undefined;
    return { address: cand?.address as string, port: cand?.port as number, type: cand?.candidateType as string };
  });
  // The announced host candidate, not one learned from the server's own checks (prflx).
  expect(remote).toMatchObject({ address: lab.publicIp, type: 'host' });
  expect(remote.port).toBeGreaterThanOrEqual(40000);
  expect(remote.port).toBeLessThanOrEqual(40100);
  await page.getByTestId('end-session').click();
  await page.close();
});
