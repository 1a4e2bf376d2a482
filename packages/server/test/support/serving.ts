import { afterEach } from '@jest/globals';
import type { ListenerSpec, Organism, OrganismOptions, RoutedMessage } from '@organism/core';
import { startServer, type OrganismServer, type ServerFrame, type ServerOptions } from '../../src/index.js';
import { TestClient } from './testClient.js';
import { testOrganism } from './testOrganism.js';

/** The token every test server is started with. */
export const TOKEN = 'test-token';

/** What a test started; run in reverse order after each test. */
export const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A real server on a free loopback port over {@link testOrganism}, closed (with its organism) after the test. */
export async function serve(
  serverOptions: ServerOptions = {},
  orgOptions: Partial<OrganismOptions> = {},
  more: readonly ListenerSpec[] = [],
): Promise<{ org: Organism; server: OrganismServer; url: string; http: string; routed: RoutedMessage[] }> {
  const org = testOrganism(orgOptions, more);
  let server: OrganismServer;
  try {
    server = await startServer(org, { port: 0, token: TOKEN, processMetrics: false, ...serverOptions });
  } catch (error) {
    await org.close();
    throw error;
  }
  const routed: RoutedMessage[] = [];
  const subscription = org.messages$.subscribe((m) => routed.push(m));
  cleanups.push(async () => {
    subscription.unsubscribe();
    await server.close();
    await org.close();
  });
  return { org, server, url: server.address.url, http: server.address.http, routed };
}

/** A welcomed client, closed after the test. */
export async function client(url: string, token = TOKEN) {
  const c = await TestClient.welcomed(url, token);
  cleanups.push(() => c.close());
  return c;
}

/** A client that is only opened (no welcome awaited), closed after the test. */
export async function rawClient(url: string, options: { token?: string; query?: boolean } = {}) {
  const c = await TestClient.open(url, options);
  cleanups.push(() => c.close());
  return c;
}

export const isMessage = (f: ServerFrame): f is Extract<ServerFrame, { kind: 'message' }> => f.kind === 'message';
export const idleOn = (thread: string) => (f: ServerFrame) => f.kind === 'idle' && f.thread === thread;
