import { describe, it, expect, jest } from '@jest/globals';
import { map } from 'rxjs';
import { createOrganism, type Huh, type ListenerSpec, type Organism, type OrganismOptions } from '../src/index.js';
import { GREETING, greeter, Ping, listener } from './support/contracts.js';
import { envelopeXml, rawEnvelope, THREAD } from './support/envelopes.js';
import { expectStillServing, watch } from './support/organismWatch.js';

jest.setTimeout(5000);

const BILLION_LAUGHS =
  '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' +
  Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('') +
  ']>' +
  envelopeXml({ from: 'user', to: 'greeter' }, '<greeting><name>&lol9;</name></greeting>');

interface BadInput {
  readonly name: string;
  readonly code: string;
  readonly options?: Partial<OrganismOptions>;
  readonly listeners?: ListenerSpec[];
  readonly input: (org: Organism) => Promise<unknown>;
  /** Who gets the <huh>: an external name (on egress) or a listener (through its onHuh). */
  readonly huhTo: { readonly egress: string } | { readonly onHuh: string };
}

const onHuhLog = new Map<string, Array<{ huh: Huh; thread: string }>>();
const withOnHuh = (spec: ListenerSpec): ListenerSpec => ({
  ...spec,
  onHuh: (huh, { thread }) => {
    onHuhLog.set(spec.name, [...(onHuhLog.get(spec.name) ?? []), { huh, thread }]);
  },
});
const ping = '<ping><n>1</n></ping>';

const cases: BadInput[] = [
  { name: 'text that is not XML', code: 'ORG_ERR_XML_PARSE', input: (org) => org.inject('<not valid xml', { from: 'user' }), huhTo: { egress: 'user' } },
  {
    name: 'an envelope without <from>',
    code: 'ORG_ERR_ENVELOPE_INVALID',
    input: (org) => org.inject(rawEnvelope(`<to>greeter</to><thread>${THREAD}</thread>`, '<greeting xmlns=""><name>W</name></greeting>'), { from: 'alice' }),
    huhTo: { egress: 'alice' },
  },
  {
    name: 'an envelope without <thread>',
    code: 'ORG_ERR_ENVELOPE_INVALID',
    input: (org) => org.inject(rawEnvelope('<from>bob</from><to>greeter</to>', '<greeting xmlns=""><name>W</name></greeting>'), { from: 'bob' }),
    huhTo: { egress: 'bob' },
  },
  {
    // the envelope XSD allows at most one payload, so this fails validation before extraction
    name: 'an envelope with two payloads',
    code: 'ORG_ERR_ENVELOPE_INVALID',
    input: (org) =>
      org.inject(rawEnvelope(`<from>user</from><to>greeter</to><thread>${THREAD}</thread>`, `${'<greeting xmlns=""><name>W</name></greeting>'.repeat(2)}`), {
        from: 'user',
      }),
    huhTo: { egress: 'user' },
  },
  {
    name: 'a payload for a listener that does not exist',
    code: 'ORG_ERR_ROUTE_UNKNOWN',
    input: (org) => org.inject(envelopeXml({ from: 'user' }, '<nobody.ping><n>1</n></nobody.ping>')),
    huhTo: { egress: 'user' },
  },
  { name: 'a payload that violates its schema', code: 'ORG_ERR_PAYLOAD_INVALID', input: (org) => org.send('greeter', '<greeting><name></name></greeting>'), huhTo: { egress: 'user' } },
  {
    name: 'a message above limits.maxBytes',
    code: 'ORG_ERR_XML_TOO_LARGE',
    options: { limits: { maxBytes: 1024 } },
    input: (org) => org.send('greeter', `<greeting><name>${'<&>'.repeat(600)}</name></greeting>`.replace(/<&>/g, '&lt;')),
    huhTo: { egress: 'user' },
  },
  {
    name: 'a deeply nested message',
    code: 'ORG_ERR_XML_TOO_DEEP',
    input: (org) => org.send('greeter', `<greeting><name>W</name>${'<x>'.repeat(100)}${'</x>'.repeat(100)}</greeting>`),
    huhTo: { egress: 'user' },
  },
  { name: 'a DOCTYPE with nested entities (billion laughs)', code: 'ORG_ERR_XML_DTD', input: (org) => org.inject(BILLION_LAUGHS, { from: 'user' }), huhTo: { egress: 'user' } },
  {
    name: 'a handler that throws',
    code: 'ORG_ERR_HANDLER_THREW',
    listeners: [
      withOnHuh(
        listener('fragile', Ping, {
          handler: () => {
            throw new Error('secret stack detail');
          },
        }),
      ),
    ],
    input: (org) => org.send('fragile', ping),
    huhTo: { egress: 'user' },
  },
  {
    name: 'a handler that returns a number',
    code: 'ORG_ERR_HANDLER_RESULT',
    listeners: [withOnHuh(listener('sloppy', Ping, { handler: () => 42 as never }))],
    input: (org) => org.send('sloppy', ping),
    huhTo: { onHuh: 'sloppy' },
  },
  {
    name: 'a handler that forges an envelope from admin',
    code: 'ORG_ERR_RESPONSE_ENVELOPE',
    listeners: [
      withOnHuh(
        listener('forger', Ping, {
          handler: () => `<message><meta><from>admin</from><to>greeter</to><thread>${THREAD}</thread></meta><payload/><greeting><name>Admin</name></greeting></message>`,
        }),
      ),
    ],
    input: (org) => org.send('forger', ping),
    huhTo: { onHuh: 'forger' },
  },
];

describe('organism: every bad input is reported, answered with a <huh>, and the pump keeps serving', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, bad) => {
    onHuhLog.clear();
    const greet = jest.fn(greeter.handler);
    await using org = createOrganism({ ...bad.options, listeners: [{ ...greeter, handler: greet }, ...(bad.listeners ?? [])] });
    const w = watch(org);
    const started = performance.now();
    await bad.input(org);
    await org.whenIdle();
    const elapsed = performance.now() - started;

    expect(w.errors.map((e) => e.code)).toEqual([bad.code]);
    if ('egress' in bad.huhTo) {
      expect(w.egress).toEqual([
        expect.objectContaining({ from: 'organism', to: bad.huhTo.egress, tag: 'huh', payload: expect.stringContaining(`<code>${bad.code}</code>`) }),
      ]);
    } else {
      expect(w.egress).toEqual([]);
      expect(onHuhLog.get(bad.huhTo.onHuh)).toEqual([{ huh: expect.objectContaining({ code: bad.code }), thread: expect.any(String) }]);
    }
    expect(greet).not.toHaveBeenCalled();
    expect(w.messages.some((m) => m.from === 'admin')).toBe(false);
    expect(elapsed).toBeLessThan(1000);

    await expectStillServing(org, w);
    expect(w.egress.some((m) => m.from === 'admin')).toBe(false);
  });

  it('a <huh> about a failed handler does not leak what the handler threw', async () => {
    await using org = createOrganism({
      listeners: [
        listener('fragile', Ping, {
          handler: () => {
            throw new Error('password=hunter2');
          },
        }),
      ],
    });
    const w = watch(org);
    await org.send('fragile', ping);
    await org.whenIdle();
    expect(w.errors[0]!.message).toContain('hunter2');
    expect(w.huhs()).toHaveLength(1);
    expect(w.huhs()[0]!.payload).not.toContain('hunter2');
  });
});

describe('organism: <huh> messages', () => {
  it("delivers the organism's <huh> about a listener's own output to its onHuh, unescaped", async () => {
    const onHuh = jest.fn<NonNullable<ListenerSpec['onHuh']>>();
    await using org = createOrganism({ listeners: [greeter, listener('sloppy', Ping, { onHuh, handler: () => 'a & b, no payload <here' })] });
    const w = watch(org);
    const thread = await org.send('sloppy', ping);
    await org.whenIdle();
    expect(onHuh).toHaveBeenCalledTimes(1);
    const [huh, context] = onHuh.mock.calls[0]!;
    expect(context).toEqual({ thread });
    expect(huh.code).toBe(w.errors[0]!.code);
    expect(huh.attempt).toBe('a & b, no payload <here');
  });

  it('never answers a <huh> with another <huh>: one that routes nowhere is one error and nothing else', async () => {
    await using org = createOrganism({ listeners: [greeter] });
    const w = watch(org);
    await org.inject(envelopeXml({ from: 'user' }, '<huh><code>X</code><message>m</message></huh>'));
    await org.whenIdle();
    expect(w.errors.map((e) => e.code)).toEqual(['ORG_ERR_ROUTE_UNKNOWN']);
    expect(w.egress).toEqual([]);
    await expectStillServing(org, w);
  });

  it('drops a <huh> for a listener without onHuh silently', async () => {
    await using org = createOrganism({ listeners: [greeter, listener('mute', Ping, { handler: () => 42 as never })] });
    const w = watch(org);
    await org.send('mute', ping);
    await org.whenIdle();
    expect(w.errors.map((e) => e.code)).toEqual(['ORG_ERR_HANDLER_RESULT']);
    expect(w.egress).toEqual([]);
  });

  it('reports an onHuh that throws once, without a <huh> about it', async () => {
    await using org = createOrganism({
      listeners: [
        greeter,
        listener('touchy', Ping, {
          handler: () => 42 as never,
          onHuh: () => {
            throw new Error('cannot take criticism');
          },
        }),
      ],
    });
    const w = watch(org);
    await org.send('touchy', ping);
    await org.whenIdle();
    expect(w.errors).toEqual([
      expect.objectContaining({ code: 'ORG_ERR_HANDLER_RESULT', listener: 'touchy' }),
      expect.objectContaining({ code: 'ORG_ERR_HANDLER_THREW', listener: 'touchy' }),
    ]);
    expect(w.egress).toEqual([]);
    await expectStillServing(org, w);
  });

  it('stops after the <huh> when the <huh> itself fails: an operator failing everything gives exactly two errors', async () => {
    await using org = createOrganism({
      listeners: [greeter],
      operators: [
        {
          after: 'route',
          operator: map(() => {
            throw new Error('rejects everything');
          }),
        },
      ],
    });
    const w = watch(org);
    await org.send('greeter', GREETING);
    await org.whenIdle();
    expect(w.errors.map((e) => [e.code, e.from])).toEqual([
      ['ORG_ERR_OPERATOR', 'user'],
      ['ORG_ERR_OPERATOR', 'organism'],
    ]);
    expect(w.egress).toEqual([]);
    expect(org.stats()).toMatchObject({ pending: 0, errors: 2 });
  });

  it('a reply to a listener that cannot accept it fails once, and the <huh> to the replier ends there', async () => {
    // greeter answers its caller, but the caller is a listener that does not accept <greetingresponse>
    await using org = createOrganism({ listeners: [greeter, listener('asker', Ping, { handler: () => GREETING })] });
    const w = watch(org);
    await org.send('asker', ping);
    await org.whenIdle();
    expect(w.errors.map((e) => [e.code, e.from, e.to])).toEqual([['ORG_ERR_ROUTE_UNKNOWN', 'greeter', 'asker']]);
    expect(w.egress).toEqual([]);
  });
});
