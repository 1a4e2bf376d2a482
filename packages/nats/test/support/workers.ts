import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

const BIN = 'packages/cli/bin/organism.js';

/** A worker process: `organism run <yaml> --transport <url> --listeners … --no-console --no-server`. */
export interface Worker {
  readonly pid: number;
  readonly child: ChildProcessWithoutNullStreams;
  output(): string;
  /** SIGKILL: no drain, no acknowledgement of what it holds. */
  kill9(): Promise<void>;
  /** SIGTERM, and wait for it to exit (it drains first). */
  stop(): Promise<void>;
}

/** Start a worker and resolve once its consumers are pulling (its "distributed on" line). */
export async function startWorker(yaml: string, url: string, args: string[], env: Record<string, string> = {}): Promise<Worker> {
  const child = spawn(process.execPath, [BIN, 'run', yaml, '--transport', url, '--no-console', '--no-server', '--log-level', 'warn', ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start within 20 s:\n${out}`)), 20_000);
    const check = () => {
      if (out.includes('distributed on ')) {
        clearTimeout(timer);
        child.stdout.off('data', check);
        resolve();
      }
    };
    child.stdout.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code} before it was ready:\n${out}`));
    });
  });
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    await exited;
  };
  return { pid: child.pid!, child, output: () => out, kill9: () => end('SIGKILL'), stop: () => end('SIGTERM') };
}
