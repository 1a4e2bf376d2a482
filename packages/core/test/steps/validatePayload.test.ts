import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { validatePayload, type MessageState } from '../../src/index.js';
import { Alert, Greeting, listener } from '../support/contracts.js';
import { arriving, marbles, releaseAll, stepWorld, type StepWorld } from '../support/steps.js';

let world: StepWorld;
beforeAll(() => {
  world = stepWorld([listener('greeter', Greeting), listener('log.a', Alert, { broadcast: true }), listener('log.b', Alert, { broadcast: true })]);
});
afterAll(() => world.dispose());

/** A routed state, as the route step leaves it (the payload is re-parsed from its canonical text). */
function routed(tag: string, payloadXml: string, to?: string): MessageState {
  const resolved = world.table.route(tag, to);
  if (resolved.kind === 'error') throw resolved.error;
  return arriving('', { tag, payloadXml, route: resolved });
}

describe('validatePayload (libxml2)', () => {
  it('passes payloads that match the XSD of their route, by bare tag and by full root tag', () => {
    const bare = routed('greeting', '<greeting><name>W</name></greeting>');
    const full = routed('greeter.greeting', '<greeter.greeting><name>W</name></greeter.greeting>');
    const broadcast = routed('alert', '<alert><level>3</level></alert>');
    marbles().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('a(bc)|', { a: bare, b: full, c: broadcast });
      expectObservable(source.pipe(validatePayload())).toBe('a(bc)|', { a: bare, b: full, c: broadcast });
      expectSubscriptions(source.subscriptions).toBe('^----!');
    });
    for (const state of [bare, full, broadcast]) expect(state.error).toBeUndefined();
    releaseAll(bare, full, broadcast);
  });

  it('fails a payload that violates its XSD with ORG_ERR_PAYLOAD_INVALID and the validator messages', () => {
    const empty = routed('greeting', '<greeting><name></name></greeting>');
    const wrongType = routed('alert', '<alert><level>high</level></alert>');
    const wrongRoot = routed('greeter.greeting', '<greeting><name>W</name></greeting>');
    marbles().run(({ cold, expectObservable }) => {
      const invalid = expect.objectContaining({ failedStep: 'validatePayload', error: expect.objectContaining({ code: 'ORG_ERR_PAYLOAD_INVALID' }) });
      expectObservable(cold('-abc|', { a: empty, b: wrongType, c: wrongRoot }).pipe(validatePayload())).toBe('-abc|', { a: invalid, b: invalid, c: invalid });
    });
    expect(empty.error!.details!.join(' ')).toMatch(/minLength/);
    expect(wrongType.error!.details!.join(' ')).toMatch(/level/);
    releaseAll(empty, wrongType, wrongRoot);
  });

  it('leaves states that are not delivered to a listener alone', () => {
    const egress = arriving('', { tag: 'x', payloadXml: '<x/>', route: { kind: 'egress', to: 'user' } });
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('a|', { a: egress }).pipe(validatePayload())).toBe('a|', { a: egress });
    });
    expect(egress.error).toBeUndefined();
    expect(egress.parsed).toBeUndefined();
  });
});
