import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { deserialize, type MessageState } from '../../src/index.js';
import { Alert, Greeting, listener } from '../support/contracts.js';
import { arriving, marbles, releaseAll, stepWorld, type StepWorld } from '../support/steps.js';

let world: StepWorld;
beforeAll(() => {
  world = stepWorld([listener('greeter', Greeting), listener('log.a', Alert, { broadcast: true }), listener('log.b', Alert, { broadcast: true })]);
});
afterAll(() => world.dispose());

function routed(tag: string, payloadXml: string): MessageState {
  const resolved = world.table.route(tag, undefined);
  if (resolved.kind === 'error') throw resolved.error;
  return arriving('', { tag, payloadXml, route: resolved });
}

describe('deserialize', () => {
  it('turns the payload into the typed object of each target', () => {
    const greeting = routed('greeting', '<greeting><name>World</name></greeting>');
    const alert = routed('alert', '<alert><level>3</level></alert>');
    marbles().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-(ab)-|', { a: greeting, b: alert });
      expectObservable(source.pipe(deserialize())).toBe('-(ab)-|', {
        a: expect.objectContaining({ deliveries: [expect.objectContaining({ value: { name: 'World' } })] }),
        b: expect.objectContaining({
          deliveries: [expect.objectContaining({ value: { level: 3 } }), expect.objectContaining({ value: { level: 3 } })],
        }),
      });
      expectSubscriptions(source.subscriptions).toBe('^-----!');
    });
    expect(alert.deliveries!.map((d) => d.target.listener.name)).toEqual(['log.a', 'log.b']);
    releaseAll(greeting, alert);
  });

  it('fails a payload zod rejects with ORG_ERR_PAYLOAD_DESERIALIZE naming the field', () => {
    // skipped XSD validation: the empty name reaches zod, which wants min(1)
    const state = routed('greeting', '<greeting><name></name></greeting>');
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('a|', { a: state }).pipe(deserialize())).toBe('a|', {
        a: expect.objectContaining({ failedStep: 'deserialize', error: expect.objectContaining({ code: 'ORG_ERR_PAYLOAD_DESERIALIZE' }) }),
      });
    });
    expect(state.error!.details!.join(' ')).toMatch(/name/);
    expect(state.deliveries).toBeUndefined();
    releaseAll(state);
  });

  it('sets no deliveries on a state leaving on egress', () => {
    const egress = arriving('', { tag: 'x', payloadXml: '<x/>', route: { kind: 'egress', to: 'user' } });
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('a|', { a: egress }).pipe(deserialize())).toBe('a|', { a: egress });
    });
    expect(egress.deliveries).toBeUndefined();
  });
});
