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
    const egress = arriving('', { tag: 'greetingresponse', to: 'user', origin: 'response', identity: 'greeter', chain: ['user', 'greeter'] });
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
    const step = route({ routing: () => table, isExternal: () => false });
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

  describe('egress reaches known external parties only', () => {
    let known: StepWorld;
    beforeAll(() => {
      known = stepWorld([listener('greeter', Greeting)], {}, ['mailer']);
    });
    afterAll(() => known.dispose());

    const fromGreeter = (to: string) => arriving('', { tag: 'note', to, origin: 'response', identity: 'greeter', chain: ['Alice', 'greeter'] });
    const routed = (state: ReturnType<typeof arriving>) => {
      marbles().run(({ cold, expectObservable }) => {
        expectObservable(cold('a|', { a: state }).pipe(route(known.env))).toBe('a|', { a: expect.anything() });
      });
      return state;
    };

    it("lets a listener address the thread's originating sender, in any case, and a declared external", () => {
      expect(routed(fromGreeter('alice')).route).toEqual({ kind: 'egress', to: 'alice' });
      expect(routed(fromGreeter('MAILER')).route).toEqual({ kind: 'egress', to: 'MAILER' });
      expect(routed(fromGreeter('alice')).error).toBeUndefined();
    });

    it('fails any other unknown <to> from a listener with ORG_ERR_ROUTE_UNKNOWN naming the allowed parties', () => {
      const state = routed(fromGreeter('nobody'));
      expect(state.route).toBeUndefined();
      expect(state.failedStep).toBe('route');
      expect(state.error?.code).toBe('ORG_ERR_ROUTE_UNKNOWN');
      expect(state.error?.message).toBe(
        '"nobody" is neither a listener nor a known external party: address a listener, the thread\'s sender "Alice", or a name declared under externals: in organism.yaml',
      );
    });

    it('lets a message from outside address listeners only, even a declared external or its own name', () => {
      for (const to of ['nobody', 'mailer', 'user']) {
        const state = routed(arriving('', { tag: 'note', to, from: 'user' }));
        expect(state.error?.code).toBe('ORG_ERR_ROUTE_UNKNOWN');
        expect(state.error?.message).toBe(`no listener is named "${to}": a message from outside the organism may address listeners only`);
      }
    });

    it("leaves the organism's own answers (system origin) alone", () => {
      const state = routed(arriving('', { tag: 'note', to: 'somebody', origin: 'system', identity: 'organism' }));
      expect(state.route).toEqual({ kind: 'egress', to: 'somebody' });
    });
  });
});
