import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { ENVELOPE_NS, OrganismError } from '@organism/xml';
import { envelope, type ResponseItem } from '../../src/index.js';
import { Greeting, Note, listener } from '../support/contracts.js';
import { THREAD } from '../support/envelopes.js';
import { callOf, marbles, stepWorld, type StepWorld } from '../support/steps.js';

let world: StepWorld;
beforeAll(() => {
  world = stepWorld([listener('greeter', Greeting), listener('notes', Note), listener('writer', Note)]);
});
afterAll(() => world.dispose());

const wrapped = (meta: string, payload: string) => `<message xmlns="${ENVELOPE_NS}"><meta>${meta}</meta>${payload}</message>`;

describe('envelope', () => {
  it("sets <from> to the listener and <thread> to the call's thread, whatever the payload says", () => {
    const call = callOf(world.listeners.get('greeter')!, { thread: THREAD, caller: 'user' });
    const reply: ResponseItem = { kind: 'payload', call, tag: 'greetingresponse', xml: '<greetingresponse><message>Hi</message></greetingresponse>' };
    marbles().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-|', { a: reply });
      expectObservable(source.pipe(envelope(world.env))).toBe('-a-|', {
        a: {
          kind: 'envelope',
          call,
          from: 'greeter',
          to: 'user',
          thread: THREAD,
          reply: true,
          chain: ['user'],
          payloadXml: '<greetingresponse><message>Hi</message></greetingresponse>',
          tag: 'greetingresponse',
          ns: '',
          envelope: wrapped(
            `<from>greeter</from><to>user</to><thread>${THREAD}</thread>`,
            '<greetingresponse xmlns=""><message>Hi</message></greetingresponse>',
          ),
        },
      });
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it('writes <to> by the rules: explicit recipient, none for self-routing tags, the caller for replies', () => {
    const writer = world.listeners.get('writer')!;
    const fromUser = callOf(writer, { caller: 'user' });
    const fromGreeter = callOf(writer, { caller: 'greeter', respondTo: 'greeter', chain: ['user', 'greeter', 'writer'] });
    const items: Record<string, ResponseItem> = {
      // a full root tag routes on its own
      a: { kind: 'payload', call: fromUser, tag: 'greeter.greeting', xml: '<greeter.greeting><name>A</name></greeter.greeting>' },
      // a bare tag with a single acceptor routes on its own
      b: { kind: 'payload', call: fromUser, tag: 'greeting', xml: '<greeting><name>B</name></greeting>' },
      // <note> has two acceptors: a reply to the caller
      c: { kind: 'payload', call: fromUser, tag: 'note', xml: '<note><text>c</text></note>' },
      // the handler named a recipient
      d: { kind: 'payload', call: fromUser, tag: 'note', xml: '<note><text>d</text></note>', to: 'notes' },
      // the caller is a listener that does not accept <note>, and nothing else routes it: still the caller
      e: { kind: 'payload', call: fromGreeter, tag: 'note', xml: '<note><text>e</text></note>' },
    };
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('a(bc)de|', items).pipe(envelope(world.env))).toBe('a(bc)de|', {
        a: expect.objectContaining({ from: 'writer', envelope: expect.not.stringContaining('<to>') }),
        b: expect.objectContaining({ from: 'writer', envelope: expect.not.stringContaining('<to>') }),
        c: expect.objectContaining({ from: 'writer', to: 'user' }),
        d: expect.objectContaining({ from: 'writer', to: 'notes', envelope: expect.stringContaining('<to>notes</to>') }),
        e: expect.objectContaining({ from: 'writer', to: 'greeter' }),
      });
    });
  });

  it('passes errors and end markers through untouched', () => {
    const call = callOf(world.listeners.get('greeter')!);
    const error: ResponseItem = { kind: 'error', call, error: new OrganismError('ORG_ERR_RESPONSE_PARSE', 'bad') };
    const done: ResponseItem = { kind: 'done', call, failed: false };
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('(ab)|', { a: error, b: done }).pipe(envelope(world.env))).toBe('(ab)|', { a: error, b: done });
    });
  });
});
