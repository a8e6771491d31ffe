/**
 * Ports for servers a test starts itself. Kept in node:net only, so a test can
 * pick its Redis port at the top of the file, before it imports the app.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** The kernel's ephemeral range, from which outbound connections take their local ports. */
function ephemeralRange(): [number, number] {
  try {
    const [lo, hi] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (lo && hi) return [lo, hi];
  } catch {
    // Not Linux: the IANA dynamic range.
  }
  return [49152, 65535];
}

/**
 * A free port for a server that is stopped and started again on the same port
 * (a Redis that restarts). A random port inside the ephemeral range can be taken
 * at any moment by one of the machine's own outbound connections — "Address
 * already in use" on a busy CI machine — so this one lies below that range and
 * is checked free when chosen.
 */
export async function stablePort(): Promise<number> {
  const [ephemeralLow] = ephemeralRange();
  const low = 10_000;
  const high = Math.max(low + 1_000, Math.min(ephemeralLow, 65_536)) - 1;
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const port = low + Math.floor(Math.random() * (high - low));
    if (await isFree(port)) return port;
  }
  throw new Error(`no free port between ${low} and ${high}`);
}

/** A free port the kernel chooses, for a server started once. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}
