import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { OrganismError } from '@organism/xml';
import type { Observable, OperatorFunction } from 'rxjs';
import {
  assignThread,
  canonicalize,
  deserialize,
  extractPayload,
  repair,
  route,
  validateEnvelope,
  validatePayload,
  type MessageState,
} from '../../src/index.js';
import { GREETING, Greeting, listener } from '../support/contracts.js';
import { envelopeXml, rawEnvelope, THREAD } from '../support/envelopes.js';
import { arriving, marbles, releaseAll, stepWorld, type StepWorld } from '../support/steps.js';

let world: StepWorld;
beforeAll(() => {
  world = stepWorld([listener('greeter', Greeting)]);
});
afterAll(() => world.dispose());

type Step = OperatorFunction<MessageState, MessageState>;
const STEPS = ['repair', 'canonicalize', 'validateEnvelope', 'extractPayload', 'assignThread', 'route', 'validatePayload', 'deserialize'];
const steps = (): Array<[string, Step]> => [
  ['repair', repair(world.env)],
  ['canonicalize', canonicalize()],
  ['validateEnvelope', validateEnvelope()],
  ['extractPayload', extractPayload()],
  ['assignThread', assignThread(world.env)],
  ['route', route(world.env)],
  ['validatePayload', validatePayload()],
  ['deserialize', deserialize()],
];

/**
 * A state that failed earlier, whose every field would make each step do something visible if it
 * ignored the error: parse the input or the canonical text, read a new sender, replace the thread,
 * route to egress, validate and deserialize a valid payload.
 */
function failedEarlier(): MessageState {
  const input = envelopeXml({ from: 'user', to: 'greeter' }, GREETING);
  const resolved = world.table.route('greeting', undefined);
  return arriving(input, {
    canonical: input,
    from: 'someone-else',
    to: 'user',
    tag: 'greeting',
    thread: 'not-a-uuid',
    payloadXml: GREETING,
    route: resolved.kind === 'deliver' ? resolved : undefined,
    error: new OrganismError('ORG_ERR_OPERATOR', 'the first error'),
    failedStep: 'extractPayload',
  });
}

describe('a state that already carries an error', () => {
  it('is checked against every standard step', () => {
    expect(steps().map(([name]) => name)).toEqual(STEPS);
  });

  it.each(STEPS)('passes %s untouched', (name) => {
    const step = steps().find(([n]) => n === name)![1];
    const one = failedEarlier();
    const two = failedEarlier();
    const before = { a: { ...one }, b: { ...two } };
    marbles().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-(ab)-|', { a: one, b: two });
      expectObservable(source.pipe(step)).toBe('-(ab)-|', before);
      expectSubscriptions(source.subscriptions).toBe('^-----!');
    });
    expect(one.error!.message).toBe('the first error');
    expect(one.parsed).toBeUndefined();
  });
});

describe('the standard steps in order', () => {
  const pipeline = (state: MessageState): MessageState => {
    let out: MessageState | undefined;
    marbles().run(({ cold }) => {
      const source = steps().reduce<Observable<MessageState>>((stream, [, step]) => stream.pipe(step), cold('a|', { a: state }));
      source.subscribe((s) => (out = s));
    });
    releaseAll(state);
    return out!;
  };

  it('turn an envelope into typed deliveries', () => {
    const state = pipeline(arriving(envelopeXml({ from: 'user', to: 'greeter', thread: THREAD.toUpperCase() }, GREETING)));
    expect(state.error).toBeUndefined();
    expect(state).toMatchObject({ from: 'user', to: 'greeter', thread: THREAD, tag: 'greeting', route: { kind: 'deliver' } });
    expect(state.deliveries!.map((d) => [d.target.listener.name, d.value])).toEqual([['greeter', { name: 'World' }]]);
  });

  it('keep the error of the first step that failed, though later steps would fail too', () => {
    // <to> before <from>: the envelope is invalid, and the payload would not route or validate either
    const badEnvelope = pipeline(arriving(rawEnvelope('<to>nobody</to><from>user</from><thread>x</thread>', '<mystery xmlns=""/>')));
    expect(badEnvelope).toMatchObject({ failedStep: 'validateEnvelope', error: { code: 'ORG_ERR_ENVELOPE_INVALID' } });
    expect(badEnvelope.tag).toBeUndefined();

    // routes nowhere; validatePayload and deserialize must not replace that
    const unknown = pipeline(arriving(envelopeXml({ from: 'user' }, '<mystery><x>1</x></mystery>')));
    expect(unknown).toMatchObject({ failedStep: 'route', error: { code: 'ORG_ERR_ROUTE_UNKNOWN' } });
    expect(unknown.deliveries).toBeUndefined();

    // valid envelope, invalid payload: deserialize (which would also fail) keeps validatePayload's error
    const invalid = pipeline(arriving(envelopeXml({ from: 'user', to: 'greeter' }, '<greeting><name></name></greeting>')));
    expect(invalid).toMatchObject({ failedStep: 'validatePayload', error: { code: 'ORG_ERR_PAYLOAD_INVALID' } });
  });
});
