import { execFileSync } from 'node:child_process';

/**
 * Three network namespaces made by the test itself: a server host on a private network, a NAT
 * router doing 1:1 NAT, and a client on the "public" side. Only documentation address ranges
 * (TEST-NET-2 inside, TEST-NET-3 outside) are used; no packet leaves this machine.
 */
export interface NatLab {
  serverNs: string;
  clientNs: string;
  privateIp: string;
  publicIp: string;
  destroy(): void;
}

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' });
const inNs = (ns: string, ...cmd: string[]) => execFileSync('ip', ['netns', 'exec', ns, ...cmd], { stdio: 'pipe' });

export function createNatLab(): NatLab {
  const tag = `${process.pid % 100000}`;
  const [srv, nat, cli] = [`vt-srv-${tag}`, `vt-nat-${tag}`, `vt-cli-${tag}`];
  const privateIp = '198.51.100.2';
  const publicIp = '203.0.113.1';
  const destroy = () => {
    for (const ns of [srv, nat, cli]) {
      try {
        ip('netns', 'del', ns);
      } catch {
        // not created
      }
    }
  };
  try {
    for (const ns of [srv, nat, cli]) {
      ip('netns', 'add', ns);
      ip('-n', ns, 'link', 'set', 'lo', 'up');
    }
    ip('link', 'add', `vs${tag}`, 'netns', srv, 'type', 'veth', 'peer', 'name', `vn${tag}a`, 'netns', nat);
    ip('link', 'add', `vc${tag}`, 'netns', cli, 'type', 'veth', 'peer', 'name', `vn${tag}b`, 'netns', nat);
    ip('-n', srv, 'addr', 'add', `${privateIp}/24`, 'dev', `vs${tag}`);
    ip('-n', srv, 'link', 'set', `vs${tag}`, 'up');
    ip('-n', srv, 'route', 'add', 'default', 'via', '198.51.100.1');
    ip('-n', nat, 'addr', 'add', '198.51.100.1/24', 'dev', `vn${tag}a`);
    ip('-n', nat, 'addr', 'add', `${publicIp}/24`, 'dev', `vn${tag}b`);
    ip('-n', nat, 'link', 'set', `vn${tag}a`, 'up');
    ip('-n', nat, 'link', 'set', `vn${tag}b`, 'up');
    ip('-n', cli, 'addr', 'add', '203.0.113.100/24', 'dev', `vc${tag}`);
    ip('-n', cli, 'link', 'set', `vc${tag}`, 'up');
    inNs(nat, 'sysctl', '-qw', 'net.ipv4.ip_forward=1');
    inNs(nat, 'iptables', '-t', 'nat', '-A', 'PREROUTING', '-d', publicIp, '-j', 'DNAT', '--to-destination', privateIp);
    inNs(nat, 'iptables', '-t', 'nat', '-A', 'POSTROUTING', '-s', privateIp, '-j', 'SNAT', '--to-source', publicIp);
  } catch (err) {
    destroy();
    throw err;
  }
  return { serverNs: srv, clientNs: cli, privateIp, publicIp, destroy };
}
