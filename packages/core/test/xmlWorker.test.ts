import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { describe, expect, it } from '@jest/globals';
import { ENVELOPE_NS } from '@organism/xml';
import { createOrganism, type MessageState, type Organism, type OrganismOptions } from '../src/index.js';
import { xmlWorkerThread } from '../src/xmlWorker/xmlWorker.js';
import { GREETING, greeter } from './support/contracts.js';
import { THREAD, envelopeXml, rawEnvelope } from './support/envelopes.js';
import { watch, type Watch } from './support/organismWatch.js';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** Good and hostile inputs, each with the sender identity it is injected under (if any). */
const INPUTS: ReadonlyArray<{ readonly input: string | Uint8Array; readonly from?: string }> = [
  { input: envelopeXml({ from: 'user', to: 'greeter' }, GREETING) },
  { input: envelopeXml({ from: 'user' }, '<Greeting><name>Upper</name></Greeting>') },
  { input: envelopeXml({ from: 'user' }, '<greeter.greeting><name>Full</name></greeter.greeting>') },
  { input: envelopeXml({ from: 'user', to: 'greeter' }, GREETING).replace('</message>', '') },
  { input: 'hello, not xml' },
  { input: `<!DOCTYPE x [<!ENTITY a "b">]>${envelopeXml({ from: 'user' }, GREETING)}` },
  { input: envelopeXml({ from: 'user' }, `<greeting><name>${'x'.repeat(5_000)}</name></greeting>`) },
  { input: rawEnvelope(`<thread>${THREAD}</thread>`, '<greeting xmlns=""><name>NoFrom</name></greeting>') },
  { input: envelopeXml({ from: 'user' }, GREETING + GREETING) },
  { input: envelopeXml({ from: 'user' }, '<greeting><name></name></greeting>') },
  { input: envelopeXml({ from: 'user' }, '<greeting><nom>Wrong</nom></greeting>') },
  { input: envelopeXml({ from: 'user' }, '<unknown><x>1</x></unknown>') },
  { input: Buffer.from(envelopeXml({ from: 'user' }, '<greeting><name>Bytes é</name></greeting>'), 'utf8') },
  { input: envelopeXml({ from: 'mallory' }, '<greeting><name>Trusted</name></greeting>'), from: 'alice' },
  { input: `<?xml version="1.0" encoding="UTF-8"?>\n<env:message xmlns:env="${ENVELOPE_NS}"><env:meta><env:from>user</env:from><env:thread>${THREAD}</env:thread></env:meta><greeting><name>Prefixed</name></greeting></env:message>` },
];

const OPTIONS = { listeners: [greeter], limits: { maxBytes: 4_096 } } satisfies OrganismOptions;
async function untilWorkerReady(org: Organism): Promise<void> {
  for (let i = 0; i < 600 && org.stats().xmlWorker !== 'ready'; i++) await new Promise((resolve) => setTimeout(resolve, 50));
  expect(org.stats().xmlWorker).toBe('ready');
}

async function injectAll(org: Organism, times = 1): Promise<void> {
  for (let i = 0; i < times; i++) {
    for (const { input, from } of INPUTS) await org.inject(input, from === undefined ? {} : { from });
  }
  await org.whenIdle();
}

/** What an organism did, independent of thread ids it made up and of completion order. */
function outcome(w: Watch): string[] {
  const events = [
    ...w.errors.map((e) => `error ${e.code} at ${e.step} from=${e.from} to=${e.to} listener=${e.listener} ${e.message}`),
    ...w.messages.map((m) => `routed ${m.from}→${m.listener} <${m.tag}> ${m.payload} ${JSON.stringify(m.value)}`),
    ...w.egress.map((m) => `egress ${m.from}→${m.to} <${m.tag}> ${m.payload}`),
  ];
  return events.map((e) => e.replace(UUID, '<uuid>')).sort();
}

describe('XML worker', () => {
  // First: the worker is shared by the process, and later tests leave it running.
  it('starts by itself in auto mode once traffic is sustained, not for a few messages', async () => {
    await using org = createOrganism({ ...OPTIONS, maxQueued: 100_000 });
    const sent = () => envelopeXml({ from: 'user', to: 'greeter', thread: randomUUID() }, GREETING);
    for (let i = 0; i < 10; i++) await org.inject(sent());
    await org.whenIdle();
    expect(org.stats().xmlWorker).toBe('idle');
    for (let i = 0; i < 1_000; i++) await org.inject(sent());
    await org.whenIdle();
    expect(['starting', 'ready']).toContain(org.stats().xmlWorker);
    await untilWorkerReady(org);
  });

  it('prepares external envelopes on a worker thread with exactly the outcomes of the main thread', async () => {
    await using local = createOrganism({ ...OPTIONS, xmlWorker: 'off' });
    const onMain = watch(local);
    await injectAll(local);
    expect(local.stats()).toMatchObject({ xmlWorker: 'disabled', preparedOnWorker: 0 });

    await using offloaded = createOrganism({ ...OPTIONS, xmlWorker: 'on' });
    await untilWorkerReady(offloaded);
    const onWorker = watch(offloaded);
    await injectAll(offloaded);
    expect(offloaded.stats().preparedOnWorker).toBe(INPUTS.length);

    expect(outcome(onWorker)).toEqual(outcome(onMain));
    // Sanity: the comparison covers both successes and each kind of failure.
    const codes = new Set(onWorker.errors.map((e) => e.code));
    for (const code of ['ORG_ERR_XML_PARSE', 'ORG_ERR_XML_DTD', 'ORG_ERR_XML_TOO_LARGE', 'ORG_ERR_ENVELOPE_INVALID', 'ORG_ERR_PAYLOAD_INVALID', 'ORG_ERR_ROUTE_UNKNOWN']) {
      expect(codes).toContain(code);
    }
    expect(onWorker.egress.filter((m) => m.tag === 'greetingresponse').map((m) => m.payload).sort()).toEqual([
      '<greetingresponse><message>Hello, Bytes é!</message></greetingresponse>',
      '<greetingresponse><message>Hello, Full!</message></greetingresponse>',
      '<greetingresponse><message>Hello, Prefixed!</message></greetingresponse>',
      '<greetingresponse><message>Hello, Trusted!</message></greetingresponse>',
      '<greetingresponse><message>Hello, Upper!</message></greetingresponse>',
      '<greetingresponse><message>Hello, World!</message></greetingresponse>',
      '<greetingresponse><message>Hello, World!</message></greetingresponse>', // the repaired one
    ]);
    expect(onWorker.egress.find((m) => m.payload.includes('Trusted'))?.to).toBe('alice');
    expect(offloaded.stats()).toMatchObject({ queued: 0, pending: 0, threads: 0 });
  });

  it('replays the prepared steps in order, so custom operators see what they see on the main thread', async () => {
    const seen: string[] = [];
    const record = (step: string) => (state: MessageState) =>
      seen.push(`${step}: repairs=${state.repairs.length} canonical=${state.canonical !== undefined} from=${state.from} tag=${state.tag} error=${state.error?.code}`);
    const hooks = (['repair', 'canonicalize', 'extractPayload'] as const).map((after) => ({
      after,
      operator: (source: import('rxjs').Observable<MessageState>) =>
        source.pipe((s) => new (s.constructor as typeof import('rxjs').Observable<MessageState>)((sub) => s.subscribe({ next: (v) => (record(after)(v), sub.next(v)), error: (e) => sub.error(e), complete: () => sub.complete() }))),
    }));
    const inputs = [INPUTS[0]!.input, INPUTS[3]!.input, INPUTS[4]!.input];
    const results: string[][] = [];
    for (const xmlWorker of ['off', 'on'] as const) {
      seen.length = 0;
      await using org = createOrganism({ ...OPTIONS, xmlWorker, operators: hooks });
      if (xmlWorker === 'on') await untilWorkerReady(org);
      for (const input of inputs) await org.inject(input);
      await org.whenIdle();
      if (xmlWorker === 'on') expect(org.stats().preparedOnWorker).toBe(inputs.length);
      results.push([...seen].sort());
    }
    expect(results[1]).toEqual(results[0]);
    expect(results[0]).toContain('repair: repairs=1 canonical=false from=undefined tag=undefined error=undefined');
    expect(results[0]).toContain('extractPayload: repairs=0 canonical=true from=user tag=greeting error=undefined');
  });

  it('loses no accepted message when the worker dies, reports it, and restarts on demand', async () => {
    await using org = createOrganism({ ...OPTIONS, xmlWorker: 'on', maxQueued: 100_000 });
    await untilWorkerReady(org);
    const w = watch(org);
    const count = 2_000;
    const sent = envelopeXml({ from: 'user', to: 'greeter' }, GREETING);
    for (let i = 0; i < count; i++) await org.inject(envelopeXml({ from: 'user', to: 'greeter', thread: randomUUID() }, GREETING));
    // Batches are at the worker now: kill it under them.
    await xmlWorkerThread()!.terminate();
    await org.whenIdle();
    expect(w.egress.filter((m) => m.tag === 'greetingresponse')).toHaveLength(count);
    expect(w.errors.map((e) => e.code)).toEqual(['ORG_ERR_XML_WORKER']);
    expect(org.stats()).toMatchObject({ queued: 0, pending: 0 });
    // The next envelope starts a new worker (mode "on").
    await org.inject(sent);
    await untilWorkerReady(org);
    const before = org.stats().preparedOnWorker;
    await org.inject(sent);
    await org.whenIdle();
    expect(org.stats().preparedOnWorker).toBe(before + 1);
  });


  it('in auto mode keeps light traffic inline while many slow calls are running', async () => {
    await using warm = createOrganism({ ...OPTIONS, xmlWorker: 'on' });
    await untilWorkerReady(warm);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    // Handlers that wait on I/O (an LLM, say): many running calls, no work waiting on this thread.
    const slow = { ...greeter, handler: async ({ name }: { name: string }) => (await gate, `<hello><to>${name}</to></hello>`) };
    await using org = createOrganism({ ...OPTIONS, listeners: [slow], maxConcurrentHandlers: 500, maxConcurrentPerAgent: 500 });
    expect(org.stats().xmlWorker).toBe('ready');
    const one = () => envelopeXml({ from: 'user', to: 'greeter', thread: randomUUID() }, GREETING);
    for (let i = 0; i < 200; i++) {
      await org.inject(one());
      await new Promise((resolve) => setImmediate(resolve)); // one message per turn: light traffic
    }
    expect(org.stats().inFlight).toBe(200);
    expect(org.stats().preparedOnWorker).toBe(0);
    release();
    await org.whenIdle();
  });

  it('in auto mode handles light traffic inline and hands bursts to a ready worker', async () => {
    await using warm = createOrganism({ ...OPTIONS, xmlWorker: 'on' });
    await untilWorkerReady(warm);
    await using org = createOrganism({ ...OPTIONS, maxQueued: 100_000 });
    expect(org.stats().xmlWorker).toBe('ready');
    const w = watch(org);
    const one = () => envelopeXml({ from: 'user', to: 'greeter', thread: randomUUID() }, GREETING);
    // One message per event-loop turn: each is handled inside inject(), with no hop.
    for (let i = 0; i < 5; i++) {
      await org.inject(one());
      await new Promise((resolve) => setImmediate(resolve));
    }
    await org.whenIdle();
    expect(org.stats().preparedOnWorker).toBe(0);
    // While traffic flows, a loop that catches up on 2,000 messages (as after a stall) still handles
    // them inline: it yields every 256 admissions, and no turn exceeds its share…
    for (let i = 0; i < 2_000; i++) await org.inject(one());
    await org.whenIdle();
    expect(org.stats().preparedOnWorker).toBe(0);
    await new Promise((resolve) => setImmediate(resolve)); // a new turn
    // …while 5,000 offered in one turn pile up (their calls queue faster than handlers can run) and
    // the worker takes them once 64 are waiting.
    await Promise.all(Array.from({ length: 5_000 }, () => org.inject(one())));
    await org.whenIdle();
    expect(org.stats().preparedOnWorker).toBeGreaterThan(4_000);
    // After a quiet spell, a burst is not a catch-up: the worker takes it past its first 64.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const before = org.stats().preparedOnWorker;
    await Promise.all(Array.from({ length: 1_000 }, () => org.inject(one())));
    await org.whenIdle();
    expect(org.stats().preparedOnWorker - before).toBeGreaterThanOrEqual(1_000 - 64);
    expect(w.egress.filter((m) => m.tag === 'greetingresponse')).toHaveLength(8_005);
  });
});

describe('XML worker and process exit', () => {
  // An open organism whose worker is idle must not keep the process alive: the worker is unref'd
  // after its listeners are attached (attaching a 'message' listener refs its port again).
  it.each(['idle', 'used'])('a process with an open organism and a %s worker exits on its own', async (mode) => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'packages/core/test/support/openOrganismExit.ts', mode], { timeout: 30_000 });
    expect(stdout.trim()).toBe(`done ${mode}`);
  }, 60_000);
});
