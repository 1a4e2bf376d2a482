import { afterEach, describe, expect, it } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { get } from 'node:https';
import { firstValueFrom, filter } from 'rxjs';
import { connect, startServer, type OrganismServer, type ServerOptions } from '../src/index.js';
import { GREETING, testOrganism } from './support/testOrganism.js';

const TOKEN = 'tls-token';
const fixture = (name: string) => readFileSync(new URL(`./fixtures/tls/${name}`, import.meta.url), 'utf8');
const KEY = fixture('localhost-key.pem');
const CERT = fixture('localhost-cert.pem');

let cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

async function serveTls(options: ServerOptions = {}): Promise<OrganismServer> {
  const org = testOrganism();
  try {
    const server = await startServer(org, { port: 0, token: TOKEN, processMetrics: false, tls: { key: KEY, cert: CERT }, ...options });
    cleanups.push(async () => {
      await server.close();
      await org.close();
    });
    return server;
  } catch (error) {
    await org.close();
    throw error;
  }
}

/** GET over HTTPS, trusting `ca`: status and body. */
function httpsGet(url: string, ca: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, { ca, headers }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

describe('TLS', () => {
  it('serves wss:// and https:// with the given key and certificate', async () => {
    const server = await serveTls({ metricsToken: 'scrape' });
    expect(server.address.url).toMatch(/^wss:\/\/127\.0\.0\.1:\d+$/);
    expect(server.address.http).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);

    const client = await connect(server.address.url, { token: TOKEN, ca: CERT });
    cleanups.push(() => client.close());
    const reply = firstValueFrom(client.frames$.pipe(filter((frame) => frame.kind === 'message')));
    client.send(`@greeter ${GREETING}`);
    expect(await reply).toMatchObject({ kind: 'message', from: 'greeter' });

    expect(await httpsGet(`${server.address.http}/healthz`, CERT)).toMatchObject({ status: 200 });
    const metrics = await httpsGet(`${server.address.http}/metrics`, CERT, { authorization: 'Bearer scrape' });
    expect(metrics.status).toBe(200);
    expect(metrics.body).toContain('organism_server_connections 1');
  });

  it('refuses clients that do not trust the certificate, and plain ws:// on its port', async () => {
    const server = await serveTls();
    await expect(connect(server.address.url, { token: TOKEN, timeoutMs: 5_000 })).rejects.toMatchObject({
      code: 'ORG_ERR_CLIENT_CONNECT',
      message: expect.stringContaining('self-signed certificate'),
    });
    const plain = server.address.url.replace('wss://', 'ws://');
    await expect(connect(plain, { token: TOKEN, timeoutMs: 5_000 })).rejects.toMatchObject({ code: expect.stringMatching(/^ORG_ERR_CLIENT_(CONNECT|TIMEOUT)$/) });
    // The server is unharmed: a client that trusts it still gets in.
    const client = await connect(server.address.url, { token: TOKEN, ca: CERT });
    cleanups.push(() => client.close());
    expect(client.identity).toMatch(/^client-\d+$/);
  });

  it('refuses a key and certificate that cannot be used together, with ORG_ERR_CONFIG', async () => {
    const org = testOrganism();
    cleanups.push(() => org.close());
    // A valid key, but not the certificate's.
    const otherKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    for (const tls of [
      { key: '', cert: CERT },
      { key: KEY, cert: '' },
      { key: 'not a key', cert: CERT },
      { key: KEY, cert: 'not a certificate' },
      { key: CERT, cert: KEY },
      { key: otherKey, cert: CERT },
    ]) {
      await expect(startServer(org, { port: 0, token: TOKEN, processMetrics: false, tls })).rejects.toMatchObject({ code: 'ORG_ERR_CONFIG' });
    }
    await expect(startServer(org, { port: 0, token: TOKEN, processMetrics: false, tls: { key: otherKey, cert: CERT } })).rejects.toMatchObject({
      message: expect.stringContaining('cannot be used together'),
    });
  });
});
