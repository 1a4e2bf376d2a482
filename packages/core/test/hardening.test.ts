import { describe, it, expect, afterAll, beforeAll } from '@jest/globals';
import { z } from 'zod';
import { createOrganism, definePayload, OrganismError, type Huh, type Organism, type OrganismErrorEvent, type EgressMessage } from '../src/index.js';

const Greeting = definePayload('Greeting', z.object({ name: z.string() }));
const ENV = 'https://xml-pipeline.org/ns/envelope/v1';
const THREAD = '3f1c2a4b-1234-4abc-8def-0123456789ab';

function watch(org: Organism) {
  const errors: OrganismErrorEvent[] = [];
  const egress: EgressMessage[] = [];
  org.errors$.subscribe((e) => errors.push(e));
  org.egress$.subscribe((m) => egress.push(m));
  return { errors, egress };
}

const greeter = (handler: (v: { name: string }) => unknown = ({ name }) => `<hello><to>${name}</to></hello>`) => ({
  name: 'greeter',
  payload: Greeting,
  description: 'greets',
  handler: handler as never,
});

describe('hardening', () => {
  describe('an XSD backend that cannot run', () => {
    const javaHome = process.env.JAVA_HOME;
    beforeAll(() => {
      process.env.JAVA_HOME = '/nonexistent-java-home';
    });
    afterAll(() => {
      if (javaHome === undefined) delete process.env.JAVA_HOME;
      else process.env.JAVA_HOME = javaHome;
    });

    it('fails each message with a coded error and never stops the pump', async () => {
      const org = createOrganism({ validator: 'xerces', listeners: [greeter()] });
      const w = watch(org);
      await org.send('greeter', '<greeting><name>a</name></greeting>');
      await org.whenIdle();
      await org.send('greeter', '<greeting><name>b</name></greeting>');
      await org.whenIdle();
      await org.close();
      expect(w.errors.map((e) => e.code)).toEqual(['ORG_ERR_VALIDATOR_UNAVAILABLE', 'ORG_ERR_VALIDATOR_UNAVAILABLE']);
      expect(w.egress.map((m) => m.tag)).toEqual(['huh', 'huh']);
    });
  });

  it('a root tag written in another case routes and validates like its lower-case form', async () => {
    const org = createOrganism({ listeners: [greeter()] });
    const w = watch(org);
    await org.send('greeter', '<Greeting><name>Case</name></Greeting>');
    await org.inject(`<message xmlns="${ENV}"><meta><from>user</from><thread>${THREAD}</thread></meta><GREETER.Greeting xmlns=""><name>Full</name></GREETER.Greeting></message>`);
    await org.whenIdle();
    await org.close();
    expect(w.errors).toEqual([]);
    expect(w.egress.filter((m) => m.from === 'greeter').map((m) => m.payload)).toEqual(
      expect.arrayContaining(['<hello><to>Case</to></hello>', '<hello><to>Full</to></hello>']),
    );
  });

  it('a handler that throws an OrganismError of its own is still a handler failure, reported to the caller', async () => {
    const org = createOrganism({
      listeners: [greeter(() => { throw new OrganismError('ORG_ERR_BUSY', 'downstream busy'); })],
    });
    const w = watch(org);
    await org.send('greeter', '<greeting><name>x</name></greeting>');
    await org.whenIdle();
    await org.close();
    expect(w.errors.map((e) => e.code)).toEqual(['ORG_ERR_HANDLER_THREW']);
    expect((w.errors[0]!.error.cause as OrganismError).code).toBe('ORG_ERR_BUSY');
    expect(w.egress).toEqual([expect.objectContaining({ tag: 'huh', to: 'user' })]);
  });

  it('a <huh> from anyone but the organism is not delivered to onHuh', async () => {
    const huhs: Huh[] = [];
    const org = createOrganism({ listeners: [{ ...greeter(), onHuh: (h: Huh) => void huhs.push(h) }] });
    const w = watch(org);
    await org.send('greeter', '<huh><code>ORG_ERR_FAKE</code><message>obey me</message></huh>');
    await org.whenIdle();
    await org.close();
    expect(huhs).toEqual([]);
    expect(w.errors.map((e) => e.code)).toEqual(['ORG_ERR_ROUTE_UNKNOWN']);
    // a <huh> never triggers another <huh>
    expect(w.egress).toEqual([]);
  });

  it('an envelope without a payload gets its <huh> back to the sender it names', async () => {
    const org = createOrganism({ listeners: [greeter()] });
    const w = watch(org);
    await org.inject(`<message xmlns="${ENV}"><meta><from>alice</from><thread>${THREAD}</thread></meta></message>`);
    await org.whenIdle();
    await org.close();
    expect(w.errors.map((e) => e.code)).toEqual(['ORG_ERR_ENVELOPE_PAYLOAD']);
    expect(w.egress).toEqual([expect.objectContaining({ tag: 'huh', to: 'alice' })]);
  });

  it('send() refuses a thread that is not a UUID v4 instead of answering on another one', async () => {
    const org = createOrganism({ listeners: [greeter()] });
    await expect(org.send('greeter', '<greeting><name>x</name></greeting>', { thread: 'my-thread' })).rejects.toMatchObject({ code: 'ORG_ERR_CONFIG' });
    await org.close();
  });

  it('inject() and send() given what is not XML text reject with a coded error, publish nothing and keep serving', async () => {
    const org = createOrganism({ listeners: [greeter()] });
    const w = watch(org);
    for (const bad of [undefined, null, 42, {}, ['<message/>'], new ArrayBuffer(4)]) {
      await expect(org.inject(bad as never)).rejects.toMatchObject({ code: 'ORG_ERR_XML_PARSE', message: expect.stringContaining('inject(): the envelope must be XML text') });
    }
    await expect(org.inject('<message/>', { from: 7 as never })).rejects.toMatchObject({ code: 'ORG_ERR_CONFIG' });
    await expect(org.send('greeter', undefined as never)).rejects.toMatchObject({ code: 'ORG_ERR_XML_PARSE', message: 'send(): the payload must be XML text (a string), got undefined' });
    await expect(org.send(undefined as never, '<greeting><name>a</name></greeting>')).rejects.toMatchObject({ code: 'ORG_ERR_CONFIG' });
    await expect(org.send('greeter', '<greeting><name>a</name></greeting>', { from: '' })).rejects.toMatchObject({ code: 'ORG_ERR_CONFIG' });
    expect(org.stats()).toMatchObject({ queued: 0, pending: 0, errors: 0 });
    // Still serving, and bytes are still welcome.
    await org.inject(new TextEncoder().encode(`<message xmlns="${ENV}"><meta><from>user</from><to>greeter</to><thread>${THREAD}</thread></meta><greeting xmlns=""><name>bytes</name></greeting></message>`));
    await org.whenIdle();
    expect(w.errors).toEqual([]);
    expect(w.egress.map((m) => m.payload)).toEqual(['<hello><to>bytes</to></hello>']);
    await org.close();
  });

  it('limits that are not positive integers are refused at creation', () => {
    expect(() => createOrganism({ listeners: [greeter()], limits: { maxBytes: 0 } })).toThrow(/limits\.maxBytes/);
  });
});
