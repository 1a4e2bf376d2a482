// `npm run bench:nats`: organism round trips per second across two processes on NATS JetStream,
// against a raw JetStream round trip (publish, consume, publish the reply, ack; consume, ack)
// measured in the same run on the same server. One organism round trip is two JetStream messages,
// exactly like the raw one. Needs nats-server on PATH (apt-get install -y nats-server).
//   --count N     round trips per run (default 5000)
//   --warmup N    round trips before each timed run, not counted (default 2000): both sides'
//                 processes start fresh each run, and the timed window is their steady state
//   --window W    round trips in flight (default 256)
//   --runs R      runs of each, alternating (default 3; the median is reported)
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { AckPolicy, RetentionPolicy, connect, nanos } from 'nats';
import { loadOrganism } from '@organism/core';
import { natsTransport } from '@organism/nats';

const { values } = parseArgs({ options: { count: { type: 'string', default: '5000' }, warmup: { type: 'string', default: '2000' }, window: { type: 'string', default: '256' }, runs: { type: 'string', default: '3' } } });
const COUNT = Number(values.count);
const WARMUP = Number(values.warmup);
for (const [name, value, least] of [['count', COUNT, 1], ['window', Number(values.window), 1], ['runs', Number(values.runs), 1], ['warmup', WARMUP, 0]] as const) {
  if (!Number.isInteger(value) || value < least) {
    console.error(`bench:nats: --${name} must be a whole number of at least ${least}, got ${String(values[name])}`);
    process.exit(2);
  }
}
const WINDOW = Number(values.window);
const RUNS = Number(values.runs);
const here = fileURLToPath(new URL('.', import.meta.url));
const YAML = join(here, 'organism.yaml');
const BIN = fileURLToPath(new URL('../../packages/cli/bin/organism.js', import.meta.url));

if (spawnSync('nats-server', ['--version']).status !== 0) {
  console.error('bench:nats needs nats-server on PATH: apt-get install -y nats-server');
  process.exit(2);
}

const port = await new Promise<number>((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const { port } = s.address() as { port: number };
    s.close(() => resolve(port));
  });
});
const store = mkdtempSync(join(tmpdir(), 'organism-bench-nats-'));
const server = spawn('nats-server', ['-js', '-sd', store, '-a', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
const url = `nats://127.0.0.1:${port}`;
await waitFor(async () => {
  try {
    await (await connect({ servers: url })).close();
    return true;
  } catch {
    return false;
  }
});

function waitFor(check: () => Promise<boolean> | boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  return (async () => {
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error('bench:nats: timed out');
      await new Promise((r) => setTimeout(r, 25));
    }
  })();
}

function startChild(args: string[], ready: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes(ready)) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`child exited ${code}: ${out}`)));
  });
}

/** CPU seconds a process has used (Linux /proc; 0 elsewhere). */
function cpuOf(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}
/** CPU µs per round trip of the timed window, per process: what each side of a round trip costs. */
interface CpuSplit {
  readonly [process: string]: number;
}
/** Start a CPU reading of the given processes (and this one); `end()` gives µs per round trip each. */
function cpuWindow(others: Record<string, number | undefined>): { end(count: number): CpuSplit } {
  const before = Object.fromEntries(Object.entries(others).map(([k, pid]) => [k, cpuOf(pid)]));
  const mine = process.cpuUsage();
  return {
    end(count) {
      const used = process.cpuUsage(mine);
      const split: Record<string, number> = { sender: (used.user + used.system) / count };
      for (const [k, pid] of Object.entries(others)) split[k] = ((cpuOf(pid) - before[k]!) * 1e6) / count;
      return split;
    },
  };
}
const cpuSplits: Record<'raw' | 'organism', CpuSplit[]> = { raw: [], organism: [] };

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/**
 * WARMUP round trips, then COUNT timed ones, at most WINDOW in flight: `send(n)` starts the n-th
 * (awaited if it returns a promise), `answered()` counts those answered. Gives the timed round
 * trips per second and the CPU of the timed window.
 */
async function timed(send: (n: number) => Promise<unknown> | void, answered: () => number, others: Record<string, number | undefined>): Promise<{ rate: number; cpu: CpuSplit }> {
  let sent = 0;
  const drive = async (count: number) => {
    const target = sent + count;
    while (sent < target) {
      if (sent - answered() >= WINDOW) {
        await new Promise((r) => setImmediate(r));
        continue;
      }
      const pending = send(sent++);
      if (pending !== undefined) await pending;
    }
    await waitFor(() => answered() >= target, 120_000);
  };
  await drive(WARMUP);
  const cpu = cpuWindow(others);
  const start = performance.now();
  await drive(COUNT);
  const seconds = (performance.now() - start) / 1000;
  return { rate: COUNT / seconds, cpu: cpu.end(COUNT) };
}

/** Raw JetStream: this process publishes requests and consumes replies, the echo process the rest. */
async function rawRun(): Promise<number> {
  const nc = await connect({ servers: url, noAsyncTraces: true }); // as the NATS transport connects
  const jsm = await nc.jetstreamManager();
  await jsm.streams.delete('BENCH_RAW').catch(() => undefined);
  await jsm.streams.add({ name: 'BENCH_RAW', subjects: ['bench.>'], retention: RetentionPolicy.Workqueue, duplicate_window: nanos(120_000) });
  for (const [name, subject] of [['req', 'bench.req'], ['rep', 'bench.rep']] as const) {
    await jsm.consumers.add('BENCH_RAW', { durable_name: name, filter_subject: subject, ack_policy: AckPolicy.Explicit, ack_wait: nanos(30_000), max_ack_pending: WINDOW });
  }
  const echo = await startChild([join(here, 'echo.mjs'), url, String(WINDOW)], 'ready');
  const js = nc.jetstream();
  let received = 0;
  const replies = await (await js.consumers.get('BENCH_RAW', 'rep')).consume({
    max_messages: WINDOW,
    callback: (msg) => {
      msg.ack();
      received++;
    },
  });
  const body = new TextEncoder().encode('<greeting><name>World</name></greeting>');
  const { rate, cpu } = await timed(
    (n) => void js.publish('bench.req', body, { msgID: `req:${n}` }),
    () => received,
    { echo: echo.pid, 'nats-server': server.pid },
  );
  cpuSplits.raw.push(cpu);
  await replies.close();
  await stopChild(echo);
  await nc.close();
  return rate;
}

/** The organism: this process sends and hosts egress, a worker process (the CLI) runs the greeter. */
async function organismRun(round: number): Promise<number> {
  const name = `benchnats`;
  const nc = await connect({ servers: url });
  const jsm = await nc.jetstreamManager();
  await jsm.streams.delete(`ORGANISM_${name}`).catch(() => undefined);
  await nc.close();
  const transport = await natsTransport({ servers: url, organism: name, egress: true, maxAckPending: WINDOW });
  const org = await loadOrganism(YAML, { transport, xmlWorker: 'off' });
  const worker = await startChild([...(process.env.BENCH_NATS_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_NATS_PROF}`] : []), BIN, 'run', YAML, '--transport', url, '--listeners', 'greeter', '--no-console', '--no-server', '--log-level', 'warn'], 'distributed on ');
  await transport.consuming();
  let received = 0;
  org.egress$.subscribe(() => received++);
  let errors = 0;
  org.errors$.subscribe((e) => {
    if (errors++ === 0) console.error(`bench:nats round ${round}: ${e.code}: ${e.message}`);
  });
  const { rate, cpu } = await timed(
    () => org.send('greeter', '<greeting><name>World</name></greeting>'),
    () => received,
    { worker: worker.pid, 'nats-server': server.pid },
  );
  cpuSplits.organism.push(cpu);
  await org.close();
  if (process.env.BENCH_NATS_PROF) {
    // Let it drain and write its profile.
    worker.removeAllListeners('exit');
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    worker.kill('SIGTERM');
    await exited;
  }
  await stopChild(worker);
  if (errors > 0) console.error(`bench:nats round ${round}: ${errors} errors`);
  return rate;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const raw: number[] = [];
const organism: number[] = [];
try {
  for (let round = 1; round <= RUNS; round++) {
    raw.push(await rawRun());
    organism.push(await organismRun(round));
    console.error(`round ${round}: raw ${raw.at(-1)!.toFixed(0)} round trips/s, organism ${organism.at(-1)!.toFixed(0)} round trips/s`);
  }
} finally {
  server.kill('SIGTERM');
  await new Promise((r) => server.once('exit', r));
  rmSync(store, { recursive: true, force: true });
}
const r = median(raw);
const o = median(organism);
console.log(`nats round trip (${COUNT} per run after ${WARMUP} not counted, ${WINDOW} in flight, median of ${RUNS}, two processes, nats-server on loopback)`);
console.log(`  raw JetStream floor: ${r.toFixed(0)} round trips/s (${(2 * r).toFixed(0)} messages/s published, consumed and acked)`);
console.log(`  organism:            ${o.toFixed(0)} round trips/s = ${((100 * o) / r).toFixed(0)} % of the floor (goal ≥ 50 %)`);
// CPU per round trip, each process, median over the runs: where a round trip's cost lands.
for (const kind of ['raw', 'organism'] as const) {
  const keys = Object.keys(cpuSplits[kind][0] ?? {});
  const parts = keys.map((k) => `${k} ${median(cpuSplits[kind].map((c) => c[k]!)).toFixed(0)}`);
  const total = median(cpuSplits[kind].map((c) => Object.values(c).reduce((a, b) => a + b, 0)));
  console.log(`  CPU µs per round trip, ${kind.padEnd(8)}: ${parts.join(', ')}; all ${total.toFixed(0)}`);
}
