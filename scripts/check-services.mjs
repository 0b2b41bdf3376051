// Fails loudly when DATABASE_URL or REDIS_URL is set but the server behind it does not answer:
// a CI run must never pass by silently skipping the real-server suites.
import net from 'node:net';

const targets = [
  ['DATABASE_URL', 5432],
  ['REDIS_URL', 6379],
];

function reachable(host, port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 3000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

let failed = false;
for (const [variable, defaultPort] of targets) {
  const value = process.env[variable];
  if (!value) {
    console.log(`${variable} is not set: its real-server suites will not run`);
    continue;
  }
  const url = new URL(value);
  const host = url.hostname || '127.0.0.1';
  const port = Number(url.port || defaultPort);
  if (await reachable(host, port)) {
    console.log(`${variable}: ${host}:${port} is reachable`);
  } else {
    console.error(`${variable}: nothing answers at ${host}:${port} — start the server or unset the variable`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
