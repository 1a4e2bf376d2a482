import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A real nats-server with JetStream on a free loopback port and a temporary store directory. */
export interface NatsServer {
  readonly url: string;
  readonly port: number;
  readonly storeDir: string;
  /** Kill the server (SIGKILL: no graceful shutdown) and wait for it to exit. */
  kill(): Promise<void>;
  /** Start it again on the same port with the same store. */
  restart(): Promise<void>;
  /** Stop it and delete its store. */
  stop(): Promise<void>;
}

/**
 * Start `nats-server -js` for a test. Without the binary this throws, so the tests fail loudly
 * instead of passing without a server (install it: `apt-get install -y nats-server`; .ci/run does).
 */
export async function startNatsServer(): Promise<NatsServer> {
  const found = spawnSync('nats-server', ['--version'], { encoding: 'utf8' });
  if (found.error || found.status !== 0) {
    throw new Error('nats-server is not installed: the NATS tests need a real server. Install it with `apt-get install -y nats-server` (the Debian package); .ci/run installs it.');
  }
  const port = await freePort();
  const storeDir = mkdtempSync(join(tmpdir(), 'organism-nats-'));
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn('nats-server', ['-js', '-sd', storeDir, '-a', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      if (log.length < 20_000) log += chunk.toString();
    });
    await waitForPort(port, () => child!.exitCode !== null, () => log);
  };
  const halt = async (signal: NodeJS.Signals) => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill(signal);
    });
  };
  await start();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    kill: () => halt('SIGKILL'),
    restart: start,
    stop: async () => {
      await halt('SIGTERM');
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, exited: () => boolean, log: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (exited()) throw new Error(`nats-server exited on start:\n${log()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = netConnect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nats-server did not listen on ${port} within 15 s:\n${log()}`);
}
