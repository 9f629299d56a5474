// A looping app, run as its own process: it reconnects to a session's control socket as fast as
// it can for a while, each connection sending one claim and ten malformed lines (which gets it
// closed), then prints what it managed as one JSON line. Usage: control-flooder.ts <socket> <ms> <loops>
import net from 'node:net';

const [socketPath, durationArg, loopsArg] = process.argv.slice(2);
if (!socketPath) throw new Error('usage: control-flooder.ts <socket> <ms> <loops>');
const end = Date.now() + Number(durationArg ?? 3000);
const CLAIM = '{"v":1,"type":"event","kind":"page-viewed","path":"/files/a.pdf","page":1}\n';
const PAYLOAD = CLAIM + 'not json\n'.repeat(10);

let attempts = 0;
let connected = 0;
let active = Number(loopsArg ?? 8);

function loop(): void {
  if (Date.now() >= end) {
    if (--active === 0) process.stdout.write(JSON.stringify({ attempts, connected }) + '\n');
    return;
  }
  attempts++;
  const socket = net.createConnection(socketPath!);
  socket.on('connect', () => {
    connected++;
    socket.write(PAYLOAD);
  });
  socket.on('data', () => {});
  socket.on('error', () => {});
  socket.on('close', () => setImmediate(loop));
}

for (let i = active; i > 0; i--) loop();
