import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connect } from 'nats';
import { loadOrganism, type EgressMessage, type Organism, type OrganismErrorEvent } from '@organism/core';
import { natsSubjects, natsTransport, type NatsTransport } from '../src/index.js';
import { startNatsServer, type NatsServer } from './support/natsServer.js';
import { startWorker, type Worker } from './support/workers.js';

const YAML = resolve('packages/nats/test/fixtures/organism.yaml');

let server: NatsServer;
let dir: string;
let logFile: string;
let workers: Worker[];
let front: { org: Organism; transport: NatsTransport; egress: EgressMessage[]; errors: OrganismErrorEvent[] } | undefined;

beforeEach(async () => {
  server = await startNatsServer();
  dir = mkdtempSync(join(tmpdir(), 'organism-jobs-'));
  logFile = join(dir, 'jobs.log');
  workers = [];
}, 30_000);

afterEach(async () => {
  await front?.org.close();
  front = undefined;
  await Promise.all(workers.map((w) => w.kill9()));
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}, 30_000);

/** The test process: sends jobs and hosts egress; it runs no listener. */
async function startFront(): Promise<NonNullable<typeof front>> {
  const transport = await natsTransport({ servers: server.url, organism: 'jobs', egress: true });
  const org = await loadOrganism(YAML, { transport, xmlWorker: 'off' });
  const egress: EgressMessage[] = [];
  const errors: OrganismErrorEvent[] = [];
  org.egress$.subscribe((m) => egress.push(m));
  org.errors$.subscribe((e) => errors.push(e));
  await transport.consuming();
  front = { org, transport, egress, errors };
  return front;
}

async function worker(args: string[] = [], env: Record<string, string> = {}): Promise<Worker> {
  const w = await startWorker(YAML, server.url, ['--listeners', 'jobs', ...args], { JOBS_LOG: logFile, ...env });
  workers.push(w);
  return w;
}

const parts = (egress: EgressMessage[]) =>
  egress.map((m) => {
    const [, id, index, pid] = /<id>(.*)<\/id><index>(\d+)<\/index><pid>(\d+)<\/pid>/.exec(m.payload)!;
    return { id: id!, index: Number(index), pid: Number(pid) };
  });
const logLines = (): string[] => (existsSync(logFile) ? readFileSync(logFile, 'utf8').trim().split('\n') : []);

async function until(check: () => boolean, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function queued(): Promise<number> {
  const nc = await connect({ servers: server.url });
  try {
    return (await (await nc.jetstreamManager()).streams.info(natsSubjects('jobs').stream)).state.messages;
  } finally {
    await nc.close();
  }
}

describe('distributed mode across real processes on a real nats-server', () => {
  it('a worker killed with SIGKILL mid-handler: the message is redelivered to another worker and handled; no output is lost or duplicated', async () => {
    const { org, egress, errors } = await startFront();
    const doomed = await worker(['--ack-wait', '1000'], { JOBS_HANG_AFTER_FIRST: '1' });
    await org.send('jobs', '<job><id>k1</id><parts>2</parts></job>');
    // The first part was stored (and reached egress) before the handler hung: kill it now.
    await until(() => egress.length === 1, 'the first part from the doomed worker');
    await doomed.kill9();
    const rescuer = await worker(['--ack-wait', '1000']);
    await until(() => egress.length >= 2, 'the second part after redelivery');
    await sleep(1_500); // room for a duplicate to show up
    expect(parts(egress)).toEqual([
      { id: 'k1', index: 0, pid: doomed.pid },
      { id: 'k1', index: 1, pid: rescuer.pid },
    ]);
    // Handled twice (the redelivery re-ran the handler), but its first part was stored once.
    expect(logLines()).toEqual([`start k1 ${doomed.pid}`, `start k1 ${rescuer.pid}`, `end k1 ${rescuer.pid}`]);
    expect(errors).toEqual([]);
    await org.whenIdle();
    expect(await queued()).toBe(0);
  }, 60_000);

  it('three workers share the load, and max_concurrent_per_agent holds across them', async () => {
    const { org, egress, errors } = await startFront();
    const three = await Promise.all([worker([], { JOBS_DELAY_MS: '60' }), worker([], { JOBS_DELAY_MS: '60' }), worker([], { JOBS_DELAY_MS: '60' })]);
    const ids = Array.from({ length: 30 }, (_, i) => `j${i}`);
    for (const id of ids) await org.send('jobs', `<job><id>${id}</id><parts>1</parts></job>`);
    await until(() => egress.length >= ids.length, 'every reply');
    await sleep(500);
    const got = parts(egress);
    expect(got.map((p) => p.id).sort()).toEqual([...ids].sort());
    const perWorker = three.map((w) => got.filter((p) => p.pid === w.pid).length);
    expect(perWorker.reduce((a, b) => a + b, 0)).toBe(30);
    for (const n of perWorker) expect(n).toBeGreaterThanOrEqual(3);
    // The log is in the order the calls started and ended: never more than 2 running at once.
    let running = 0;
    let most = 0;
    for (const line of logLines()) {
      running += line.startsWith('start ') ? 1 : -1;
      most = Math.max(most, running);
    }
    expect(most).toBe(2);
    expect(errors).toEqual([]);
  }, 60_000);

  it('a nats-server restart is survived: the call in flight completes and its reply arrives once', async () => {
    const { org, egress, errors } = await startFront();
    await worker(['--ack-wait', '10000'], { JOBS_DELAY_MS: '2000' });
    await org.send('jobs', '<job><id>r1</id><parts>1</parts></job>');
    await until(() => logLines().length === 1, 'the handler to start');
    await server.kill();
    await sleep(500);
    await server.restart();
    await until(() => egress.length === 1, 'the reply after the restart', 30_000);
    await sleep(1_000);
    expect(parts(egress).map((p) => [p.id, p.index])).toEqual([['r1', 0]]);
    expect(errors).toEqual([]);
    // After the restart the same stream and consumers carry new work too.
    await org.send('jobs', '<job><id>r2</id><parts>1</parts></job>');
    await until(() => egress.length === 2, 'a reply sent after the restart', 30_000);
    expect(await queued()).toBe(0);
  }, 60_000);
});
