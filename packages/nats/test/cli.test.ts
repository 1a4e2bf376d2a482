import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { resolve } from 'node:path';
import { runCli, startRun, type RunningOrganism } from '../../cli/test/support/cliProcess.js';
import { startNatsServer, type NatsServer } from './support/natsServer.js';
import { startWorker, type Worker } from './support/workers.js';

const YAML = resolve('packages/nats/test/fixtures/organism.yaml');
const TOKEN = 'nats-cli-test-token';

let server: NatsServer;
beforeAll(async () => {
  server = await startNatsServer();
}, 30_000);
afterAll(async () => {
  await server?.stop();
});

describe('organism run --transport', () => {
  it('one process serves WebSocket clients and hosts egress, a worker process runs the listener: organism send gets the reply', async () => {
    let front: RunningOrganism | undefined;
    let worker: Worker | undefined;
    try {
      front = await startRun([YAML, '--transport', server.url, '--listeners', '', '--port', '0', '--no-console'], { ORGANISM_TOKEN: TOKEN });
      expect(front.stdout()).toContain(`distributed on ${server.url} (stream ORGANISM_jobs): this process runs no listeners and hosts egress`);
      worker = await startWorker(YAML, server.url, ['--listeners', 'jobs']);
      expect(worker.output()).toContain('this process runs jobs\n');
      const sent = await runCli(['send', '--url', front.url, '--token', TOKEN, '--to', 'jobs', '<job><id>c1</id><parts>2</parts></job>']);
      expect({ stderr: sent.stderr, stdout: sent.stdout }).toEqual({ stderr: '', stdout: expect.any(String) });
      expect(sent.code).toBe(0);
      expect(sent.stdout).toContain(`<part><id>c1</id><index>0</index><pid>${worker.pid}</pid></part>`);
      expect(sent.stdout).toContain(`<part><id>c1</id><index>1</index><pid>${worker.pid}</pid></part>`);
      // SIGTERM drains: the worker exits 0.
      worker.child.kill('SIGTERM');
      const code = await new Promise<number | null>((done) => worker!.child.once('exit', (c) => done(c)));
      expect(code).toBe(0);
    } finally {
      await worker?.kill9();
      await front?.kill();
    }
  }, 60_000);

  it('refuses a listener the organism lacks, a URL that is not NATS, and the distributed options without --transport (ORG_ERR_CLI_USAGE)', async () => {
    const unknown = await runCli(['run', YAML, '--transport', server.url, '--listeners', 'jobs,nobody', '--no-console', '--no-server']);
    expect(unknown).toMatchObject({ code: 1, stderr: 'ORG_ERR_CLI_USAGE: --listeners: no listener "nobody" in this organism; its listeners are: jobs\n' });
    const url = await runCli(['run', YAML, '--transport', 'http://127.0.0.1:4222', '--no-console', '--no-server']);
    expect(url).toMatchObject({ code: 1, stderr: 'ORG_ERR_CLI_USAGE: --transport http://127.0.0.1:4222: expected a NATS server URL such as nats://127.0.0.1:4222\n' });
    const alone = await runCli(['run', YAML, '--listeners', 'jobs', '--no-console']);
    expect(alone).toMatchObject({ code: 1, stderr: 'ORG_ERR_CLI_USAGE: --listeners, --ack-wait and --max-deliver need --transport nats://host:port (distributed mode)\n' });
  }, 60_000);

  it('an unreachable NATS server is ORG_ERR_NATS_CONNECT and exit 1', async () => {
    const result = await runCli(['run', YAML, '--transport', 'nats://127.0.0.1:1', '--no-console', '--no-server']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^ORG_ERR_NATS_CONNECT: cannot connect to NATS at nats:\/\/127\.0\.0\.1:1: /);
  }, 30_000);
});
