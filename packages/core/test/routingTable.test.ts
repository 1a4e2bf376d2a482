import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { libxml2Validator } from '@organism/xml';
import { z } from 'zod';
import { createOrganism, definePayload, type Organism } from '../src/index.js';
import { createRoutingTable, type Route, type RoutingTable } from '../src/routingTable.js';
import { registerListeners, SchemaCache } from '../src/register.js';
import { Alert, Greeting, Ping, listener } from './support/contracts.js';

const Salute = definePayload('Salute', z.object({ to: z.string() }));
const Question = definePayload('Question', z.object({ a: z.number(), b: z.number() }));
const CalcResult = definePayload('CalcResult', z.object({ value: z.number() }));

const specs = [
  listener('greeter', Greeting),
  // two non-broadcast acceptors of <salute>
  listener('hello.a', Salute),
  listener('hello.b', Salute),
  // <alert>: two broadcast acceptors and one that is not
  listener('log.a', Alert, { broadcast: true }),
  listener('log.b', Alert, { broadcast: true }),
  listener('log.quiet', Alert),
  // an agent is reached by full root tag or <to> only
  listener('researcher', [Question, CalcResult], { agent: true, peers: ['greeter'] }),
  listener('Mixed.Case', Ping),
];

let cache: SchemaCache;
let table: RoutingTable;

beforeAll(() => {
  cache = new SchemaCache(libxml2Validator);
  table = createRoutingTable(registerListeners(specs, cache));
});

afterAll(() => cache.dispose());

/** The route as plain data: who receives it, and whether by full root tag. */
function summary(route: Route) {
  switch (route.kind) {
    case 'deliver':
      return { kind: 'deliver', targets: route.targets.map((t) => `${t.listener.name}:${t.accepted.tag}:${t.byRootTag ? 'root' : 'bare'}`) };
    case 'error':
      return { kind: 'error', code: route.error.code, message: route.error.message };
    case 'egress':
      return { kind: 'egress', to: route.to };
    case 'huh':
      return { kind: 'huh', to: route.to, listener: route.listener?.name };
  }
}

describe('routing table: route()', () => {
  it('delivers a full root tag to its listener', () => {
    expect(summary(table.route('greeter.greeting', undefined))).toEqual({ kind: 'deliver', targets: ['greeter:greeting:root'] });
  });

  it('delivers a bare tag with <to> to the named listener', () => {
    expect(summary(table.route('salute', 'hello.b'))).toEqual({ kind: 'deliver', targets: ['hello.b:salute:bare'] });
  });

  it('delivers a full root tag with <to> naming the same listener', () => {
    expect(summary(table.route('hello.a.salute', 'hello.a'))).toEqual({ kind: 'deliver', targets: ['hello.a:salute:root'] });
  });

  it('rejects a full root tag with <to> naming another listener', () => {
    expect(summary(table.route('hello.a.salute', 'hello.b'))).toMatchObject({ kind: 'error', code: 'ORG_ERR_ROUTE_UNKNOWN' });
  });

  it('delivers a bare tag without <to> to its single acceptor', () => {
    expect(summary(table.route('greeting', undefined))).toEqual({ kind: 'deliver', targets: ['greeter:greeting:bare'] });
  });

  it('delivers a bare tag without <to> to every broadcast acceptor and not to the others', () => {
    expect(summary(table.route('alert', undefined))).toEqual({ kind: 'deliver', targets: ['log.a:alert:bare', 'log.b:alert:bare'] });
  });

  it('still reaches a non-broadcast acceptor of a broadcast tag through <to>', () => {
    expect(summary(table.route('alert', 'log.quiet'))).toEqual({ kind: 'deliver', targets: ['log.quiet:alert:bare'] });
  });

  it('refuses a bare tag accepted by several non-broadcast listeners as ambiguous', () => {
    const route = summary(table.route('salute', undefined));
    expect(route).toMatchObject({ kind: 'error', code: 'ORG_ERR_ROUTE_AMBIGUOUS' });
    expect((route as { message: string }).message).toContain('<salute>');
  });

  it('refuses a tag nobody accepts', () => {
    expect(summary(table.route('mystery', undefined))).toMatchObject({ kind: 'error', code: 'ORG_ERR_ROUTE_UNKNOWN' });
  });

  it('refuses <to> naming a listener that does not accept the tag', () => {
    const route = summary(table.route('greeting', 'hello.a'));
    expect(route).toMatchObject({ kind: 'error', code: 'ORG_ERR_ROUTE_UNKNOWN' });
    expect((route as { message: string }).message).toContain('"hello.a"');
  });

  it('sends a payload whose <to> names no listener to egress, keeping the name as written', () => {
    expect(summary(table.route('greetingresponse', 'User'))).toEqual({ kind: 'egress', to: 'User' });
    expect(summary(table.route('greeting', 'user'))).toEqual({ kind: 'egress', to: 'user' });
  });

  it('compares tags and names case-insensitively', () => {
    expect(summary(table.route('GREETER.Greeting', undefined))).toEqual({ kind: 'deliver', targets: ['greeter:greeting:root'] });
    expect(summary(table.route('Salute', 'HELLO.A'))).toEqual({ kind: 'deliver', targets: ['hello.a:salute:bare'] });
    expect(summary(table.route('mixed.case.ping', undefined))).toEqual({ kind: 'deliver', targets: ['Mixed.Case:ping:root'] });
    expect(summary(table.route('ping', 'mixed.CASE'))).toEqual({ kind: 'deliver', targets: ['Mixed.Case:ping:bare'] });
  });

  it('does not reach an agent by bare tag without <to>', () => {
    expect(summary(table.route('question', undefined))).toMatchObject({ kind: 'error', code: 'ORG_ERR_ROUTE_UNKNOWN' });
    expect(summary(table.route('question', 'researcher'))).toEqual({ kind: 'deliver', targets: ['researcher:question:bare'] });
    expect(summary(table.route('researcher.question', undefined))).toEqual({ kind: 'deliver', targets: ['researcher:question:root'] });
  });

  it("routes the organism's <huh> to the listener named in <to>, to egress for other names, and nowhere without <to>", () => {
    expect(summary(table.route('huh', 'GREETER', true))).toEqual({ kind: 'huh', to: 'greeter', listener: 'greeter' });
    expect(summary(table.route('huh', 'user', true))).toEqual({ kind: 'huh', to: 'user', listener: undefined });
    expect(summary(table.route('huh', undefined, true))).toMatchObject({ kind: 'error', code: 'ORG_ERR_ROUTE_UNKNOWN' });
  });

  it('treats a <huh> from anyone but the organism as unknown', () => {
    expect(summary(table.route('huh', 'greeter'))).toMatchObject({ kind: 'error', code: 'ORG_ERR_ROUTE_UNKNOWN' });
  });
});

describe('routing table: responseTo()', () => {
  it('writes no <to> on a full root tag', () => {
    expect(table.responseTo('greeter.greeting', 'user')).toBeUndefined();
    expect(table.responseTo('Researcher.Question', 'greeter')).toBeUndefined();
  });

  it('replies to a caller that accepts the tag', () => {
    expect(table.responseTo('calcresult', 'researcher')).toBe('researcher');
    expect(table.responseTo('CalcResult', 'Researcher')).toBe('Researcher');
  });

  it('writes no <to> on a bare tag that routes on its own', () => {
    expect(table.responseTo('greeting', 'user')).toBeUndefined();
    expect(table.responseTo('alert', 'user')).toBeUndefined();
  });

  it('replies to the caller otherwise', () => {
    expect(table.responseTo('greetingresponse', 'user')).toBe('user');
    expect(table.responseTo('salute', 'user')).toBe('user'); // ambiguous on its own
    expect(table.responseTo('question', 'user')).toBe('user'); // only an agent accepts it
    expect(table.responseTo('huh', 'greeter')).toBe('greeter');
  });
});

describe("an organism's routing table", () => {
  let org: Organism;
  beforeAll(() => {
    org = createOrganism({ listeners: [listener('greeter', Greeting), listener('log.a', Alert, { broadcast: true }), listener('log.b', Alert, { broadcast: true })] });
  });
  afterAll(() => org.close());

  it('follows the same rules as createRoutingTable', () => {
    expect(summary(org.routing.route('greeting', undefined))).toEqual({ kind: 'deliver', targets: ['greeter:greeting:bare'] });
    expect(summary(org.routing.route('alert', undefined))).toEqual({ kind: 'deliver', targets: ['log.a:alert:bare', 'log.b:alert:bare'] });
    expect(summary(org.routing.route('greeting', 'log.a'))).toMatchObject({ kind: 'error', code: 'ORG_ERR_ROUTE_UNKNOWN' });
    expect(org.routing.responseTo('greetingresponse', 'user')).toBe('user');
    expect([...org.routing.listeners.keys()]).toEqual(['greeter', 'log.a', 'log.b']);
  });
});
