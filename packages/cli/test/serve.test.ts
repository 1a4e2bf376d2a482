import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { connect, type OrganismClient, type ServerFrame } from '@organism/server';
import { runCli, startRun, type RunningOrganism } from './support/cliProcess.js';
import { cli } from './support/inProcess.js';

/** The server package's test-only certificate for localhost (see its README). */
const TLS_CERT = 'packages/server/test/fixtures/tls/localhost-cert.pem';
const TLS_KEY = 'packages/server/test/fixtures/tls/localhost-key.pem';

// Child processes start TypeScript through tsx: seconds each on a small machine.
jest.setTimeout(90_000);

let cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

async function run(args: string[], env: Record<string, string> = {}): Promise<RunningOrganism> {
  const running = await startRun(args, env);
  cleanups.push(() => running.kill());
  return running;
}

describe('organism run with a server (a real child process)', () => {
  it('prints a startup summary; organism send prints Hello, World! and exits 0, and exits 1 on a <huh> or a wrong token', async () => {
    const running = await run(['organism.yaml', '--port', '0', '--no-console'], { ORGANISM_TOKEN: 'cli-token', ORGANISM_METRICS_TOKEN: 'scrape-token' });
    expect(running.stdout()).toContain('organism "demo" running with 4 listeners:');
    expect(running.stdout()).toContain('/metrics with the metrics token)');
    expect(running.stdout()).not.toContain('note: /metrics is open');
    expect(running.stdout()).toContain('  greeter: greeter.greeting');
    expect(running.stdout()).toContain('  researcher (agent): researcher.question, researcher.calcresult');
    expect(running.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);

    const hello = await runCli(['send', '--url', running.url, '--to', 'greeter', '<greeting><name>World</name></greeting>'], { env: { ORGANISM_TOKEN: 'cli-token' } });
    expect(hello.stderr).toBe('');
    expect(hello.stdout).toMatch(/^greeter → client-\d+ \[[0-9a-f]{8}\] <greetingresponse><message>Hello, World!<\/message><\/greetingresponse>$/m);
    expect(hello.code).toBe(0);

    // The same command in this process (a child takes seconds to start): the real client code path.
    const [researched, huh, refused] = await Promise.all([
      cli('send', '--url', running.url, '--token', 'cli-token', '<researcher.question><a>6</a><b>7</b></researcher.question>'),
      cli('send', '--url', running.url, '--token', 'cli-token', '--to', 'greeter', '<greeting><nom>World</nom></greeting>'),
      cli('send', '--url', running.url, '--token', 'wrong', '--to', 'greeter', '<greeting><name>World</name></greeting>'),
    ]);
    expect(researched.stdout).toMatch(/researcher → client-\d+ .*<sum>13<\/sum><product>42<\/product>/);
    expect(researched.code).toBe(0);
    expect(huh.stdout).toMatch(/^huh → client-\d+ .*ORG_ERR_PAYLOAD_INVALID/m);
    expect(huh.code).toBe(1);
    expect(refused.stderr).toContain('ORG_ERR_SERVER_AUTH');
    expect(refused.stderr).toContain('4401');
    expect(refused.code).toBe(1);

    const health = await fetch(`${running.http}/healthz`);
    expect(await health.json()).toMatchObject({ status: 'ready', organism: 'demo', listeners: 4 });
    expect((await fetch(`${running.http}/metrics`)).status).toBe(401);
    expect((await fetch(`${running.http}/metrics`, { headers: { authorization: 'Bearer cli-token' } })).status).toBe(401);
    const metrics = await (await fetch(`${running.http}/metrics`, { headers: { authorization: 'Bearer scrape-token' } })).text();
    expect(metrics).toContain('organism_messages_routed_total{listener="greeter"} 1');
    expect(metrics).toContain('organism_messages_routed_total{listener="researcher"} 3');
    expect(metrics).toContain('organism_messages_egressed_total{kind="huh"} 1');
    expect(metrics).toContain('organism_server_connections_total{outcome="unauthorized"} 1');

    running.child.kill('SIGTERM');
    expect(await running.exited).toEqual({ code: 0, signal: null });
  });

  it('says when /metrics is open to other machines', async () => {
    const running = await run(['organism.yaml', '--port', '0', '--host', '0.0.0.0', '--no-console'], { ORGANISM_TOKEN: 'cli-token' });
    expect(running.stdout()).toContain('note: /metrics is open to anyone who reaches 0.0.0.0; set ORGANISM_METRICS_TOKEN or organism.metrics_token to require a token');
    expect((await fetch(`${running.http}/metrics`)).status).toBe(200);
  });

  it('on SIGTERM stops accepting, answers every accepted message, closes sockets with 1001 and exits 0', async () => {
    // Port 0 and the token come from the fixture; stdin stays open (the console runs too).
    const running = await run(['packages/cli/test/fixtures/slow.yaml', '--log-level', 'info']);
    expect(running.stdout()).not.toContain('token:');
    const client: OrganismClient = await connect(running.url, { token: 'fixture-token' });
    cleanups.push(() => client.close());
    const frames: ServerFrame[] = [];
    client.frames$.subscribe((f) => frames.push(f));
    const count = 12;
    for (let n = 0; n < count; n++) client.send(`@sleeper <nap><ms>${300 + (n % 4) * 150}</ms><label>${n}</label></nap>`);
    const deadline = Date.now() + 10_000;
    while (frames.filter((f) => f.kind === 'accepted').length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(frames.filter((f) => f.kind === 'accepted')).toHaveLength(count);
    const answeredBeforeSignal = frames.filter((f) => f.kind === 'message').length;

    running.child.kill('SIGTERM');
    const closed = await client.closed;
    expect(closed).toEqual({ code: 1001, reason: 'server shutting down' });
    expect(answeredBeforeSignal).toBeLessThan(count);
    const labels = frames.flatMap((f) => (f.kind === 'message' ? [/<label>(\d+)<\/label>/.exec(f.payload)![1]] : []));
    expect(labels.map(Number).sort((a, b) => a - b)).toEqual([...Array(count).keys()]);
    expect(frames.filter((f) => f.kind === 'idle')).toHaveLength(count);
    expect(await running.exited).toEqual({ code: 0, signal: null });
    expect(running.stderr()).toContain('"msg":"stopped"');
  });

  it('generates and prints a token when none is configured, and refuses a port in use', async () => {
    const first = await run(['organism.yaml', '--port', '0', '--no-console']);
    const token = /^token: (\S+) \(generated/m.exec(first.stdout())?.[1];
    expect(token).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    const client = await connect(first.url, { token: token! });
    cleanups.push(() => client.close());
    expect(client.identity).toMatch(/^client-\d+$/);

    const port = new URL(first.url).port;
    const second = await cli('run', 'organism.yaml', '--port', port, '--no-console');
    expect(second.code).toBe(1);
    expect(second.stderr).toContain('ORG_ERR_SERVER_LISTEN');
  });

  it('serves wss:// with --tls-cert and --tls-key; organism send trusts it with --ca', async () => {
    const running = await run(['organism.yaml', '--port', '0', '--no-console', '--tls-cert', TLS_CERT, '--tls-key', TLS_KEY], { ORGANISM_TOKEN: 'cli-token' });
    expect(running.url).toMatch(/^wss:\/\/127\.0\.0\.1:\d+$/);
    expect(running.http).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const [hello, untrusted, missingCa] = await Promise.all([
      cli('send', '--url', running.url, '--token', 'cli-token', '--ca', TLS_CERT, '--to', 'greeter', '<greeting><name>World</name></greeting>'),
      cli('send', '--url', running.url, '--token', 'cli-token', '--to', 'greeter', '<greeting><name>World</name></greeting>'),
      cli('send', '--url', running.url, '--token', 'cli-token', '--ca', 'no-such-ca.pem', '--to', 'greeter', '<greeting><name>World</name></greeting>'),
    ]);
    expect(hello.stdout).toMatch(/^greeter → client-\d+ .*Hello, World!/m);
    expect(hello.code).toBe(0);
    expect(untrusted.stderr).toContain('ORG_ERR_CLIENT_CONNECT');
    expect(untrusted.code).toBe(1);
    expect(missingCa.stderr).toContain('ORG_ERR_CLI_USAGE: cannot read the CA file no-such-ca.pem: ENOENT');
    expect(missingCa.code).toBe(1);
  });

  it('serves wss:// with organism.tls, its paths relative to the yaml file', async () => {
    const running = await run(['packages/cli/test/fixtures/tls.yaml', '--no-console']);
    expect(running.url).toMatch(/^wss:\/\/127\.0\.0\.1:\d+$/);
    const hello = await cli('send', '--url', running.url, '--token', 'fixture-token', '--ca', TLS_CERT, '--to', 'greeter', '<greeting><name>World</name></greeting>');
    expect(hello.stdout).toMatch(/^greeter → client-\d+ .*Hello, World!/m);
    expect(hello.code).toBe(0);
  });

  it('refuses half a TLS configuration and TLS files it cannot read, with ORG_ERR_CONFIG', async () => {
    const half = await cli('run', 'organism.yaml', '--port', '0', '--no-console', '--tls-cert', TLS_CERT);
    expect(half.code).toBe(1);
    expect(half.stderr).toContain('ORG_ERR_CONFIG: TLS needs both --tls-cert and --tls-key');
    const missing = await cli('run', 'organism.yaml', '--port', '0', '--no-console', '--tls-cert', 'nowhere/cert.pem', '--tls-key', TLS_KEY);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/ORG_ERR_CONFIG: cannot read the TLS certificate \S*nowhere\/cert\.pem: ENOENT/);
  });
});
