import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { route } from '../../src/index.js';
import { Alert, Greeting, listener } from '../support/contracts.js';
import { arriving, marbles, stepWorld, type StepWorld } from '../support/steps.js';

let world: StepWorld;
beforeAll(() => {
  world = stepWorld([listener('greeter', Greeting), listener('log.a', Alert, { broadcast: true }), listener('log.b', Alert, { broadcast: true })]);
});
afterAll(() => world.dispose());

const names = (targets: readonly { listener: { name: string } }[]) => targets.map((t) => t.listener.name);

describe('route', () => {
  it('resolves direct, broadcast and egress routes, two of them in one frame', () => {
    const direct = arriving('', { tag: 'greeting', to: 'greeter' });
    const broadcast = arriving('', { tag: 'alert' });
    const egress = arriving('', { tag: 'greetingresponse', to: 'user' });
    marbles().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('a-(bc)|', { a: direct, b: broadcast, c: egress });
      expectObservable(source.pipe(route(world.env))).toBe('a-(bc)|', {
        a: expect.objectContaining({ route: expect.objectContaining({ kind: 'deliver' }) }),
        b: expect.objectContaining({ route: expect.objectContaining({ kind: 'deliver' }) }),
        c: expect.objectContaining({ route: { kind: 'egress', to: 'user' } }),
      });
      expectSubscriptions(source.subscriptions).toBe('^-----!');
    });
    expect(direct.route?.kind === 'deliver' && names(direct.route.targets)).toEqual(['greeter']);
    expect(broadcast.route?.kind === 'deliver' && names(broadcast.route.targets)).toEqual(['log.a', 'log.b']);
  });

  it('fails an unknown tag with ORG_ERR_ROUTE_UNKNOWN and a missing tag with ORG_ERR_INTERNAL', () => {
    const unknown = arriving('', { tag: 'mystery' });
    const untagged = arriving('');
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('ab|', { a: unknown, b: untagged }).pipe(route(world.env))).toBe('ab|', {
        a: expect.objectContaining({ failedStep: 'route', error: expect.objectContaining({ code: 'ORG_ERR_ROUTE_UNKNOWN' }) }),
        b: expect.objectContaining({ failedStep: 'route', error: expect.objectContaining({ code: 'ORG_ERR_INTERNAL' }) }),
      });
    });
    expect(unknown.route).toBeUndefined();
  });

  it('reads the routing table at each message, so a swapped table takes effect at once', () => {
    const other = stepWorld([listener('log.a', Alert)]);
    let table = world.table;
    const step = route({ routing: () => table });
    const before = arriving('', { tag: 'greeting' });
    const after = arriving('', { tag: 'greeting' });
    marbles().run(({ cold, expectObservable }) => {
      const source = cold('a|', { a: before });
      expectObservable(source.pipe(step)).toBe('a|', { a: expect.objectContaining({ route: expect.objectContaining({ kind: 'deliver' }) }) });
    });
    table = other.table;
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('a|', { a: after }).pipe(step)).toBe('a|', {
        a: expect.objectContaining({ error: expect.objectContaining({ code: 'ORG_ERR_ROUTE_UNKNOWN' }) }),
      });
    });
    other.dispose();
  });
});
