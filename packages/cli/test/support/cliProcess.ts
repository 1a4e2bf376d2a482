import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

const BIN = 'packages/cli/bin/organism.js';

/** The environment for a CLI child, without an ORGANISM_TOKEN the test did not choose. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  if (!('ORGANISM_TOKEN' in extra)) delete env.ORGANISM_TOKEN;
  return env;
}

/** Run a CLI command to its end; resolve with its output and exit code. */
export function runCli(args: string[], options: { env?: Record<string, string>; stdin?: string; timeoutMs?: number } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: childEnv(options.env) });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 25_000);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.stdin ?? '');
  });
}

/** A running `organism run` child with its server up. */
export interface RunningOrganism {
  readonly child: ChildProcessWithoutNullStreams;
  readonly url: string;
  readonly http: string;
  stdout(): string;
  stderr(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL it if it still runs (test cleanup). */
  kill(): Promise<void>;
}

/** Start `organism run <args>` and wait for its "listening on ws://…" (or wss://) line. stdin stays open. */
export function startRun(args: string[], env: Record<string, string> = {}, timeoutMs = 25_000): Promise<RunningOrganism> {
  const child = spawn(process.execPath, [BIN, 'run', ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: childEnv(env) });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const running: RunningOrganism = {
    child,
    url: '',
    http: '',
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void running.kill();
      reject(new Error(`organism run did not listen within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    const check = () => {
      const match = /listening on (wss?:\/\/\S+) \(GET (https?:\/\/\S+)\/healthz/.exec(stdout);
      if (!match) return;
      clearTimeout(timer);
      child.stdout.off('data', check);
      resolve({ ...running, url: match[1]!, http: match[2]! });
    };
    child.stdout.on('data', check);
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`organism run exited (${code}) before listening\nstdout: ${stdout}\nstderr: ${stderr}`));
    });
  });
}
