import { describe, it, expect, jest } from '@jest/globals';
import { delay, filter, map, tap } from 'rxjs';
import { createOrganism, OrganismError, STEP_NAMES, type MessageState, type OperatorHook } from '../src/index.js';
import { GREETING, greeter, HELLO_WORLD, handlerSpy } from './support/contracts.js';
import { expectStillServing, watch } from './support/organismWatch.js';

jest.setTimeout(5000);

describe('organism: custom operators', () => {
  it('a tap after route sees every routed state: the greeting and its reply', async () => {
    const seen: Array<Pick<MessageState, 'tag' | 'from' | 'route'>> = [];
    await using org = createOrganism({
      listeners: [greeter],
      operators: [{ after: 'route', operator: tap((s) => seen.push({ tag: s.tag, from: s.from, route: s.route })) }],
    });
    const w = watch(org);
    await org.send('greeter', GREETING);
    await org.whenIdle();
    expect(seen).toEqual([
      { tag: 'greeting', from: 'user', route: expect.objectContaining({ kind: 'deliver' }) },
      { tag: 'greetingresponse', from: 'greeter', route: { kind: 'egress', to: 'user' } },
    ]);
    expect(w.egress.map((m) => m.payload)).toEqual([HELLO_WORLD]);
  });

  it('a filter that drops a state delivers nothing, and whenIdle still resolves', async () => {
    const handler = handlerSpy();
    await using org = createOrganism({
      listeners: [{ ...greeter, handler }],
      operators: [{ after: 'deserialize', operator: filter((s) => !s.payloadXml?.includes('Mallory')) }],
    });
    const w = watch(org);
    await org.send('greeter', '<greeting><name>Mallory</name></greeting>');
    await org.whenIdle();
    expect(handler).not.toHaveBeenCalled();
    expect(w.messages).toEqual([]);
    expect(w.errors).toEqual([]);
    expect(org.stats()).toMatchObject({ pending: 0, routed: 0 });
    await org.send('greeter', GREETING);
    await org.whenIdle();
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it('an operator that throws fails that message with ORG_ERR_OPERATOR, and the pump keeps serving', async () => {
    await using org = createOrganism({
      listeners: [greeter],
      operators: [
        {
          after: 'extractPayload',
          operator: map((s) => {
            if (s.tag === 'greeting' && s.payloadXml?.includes('Boom')) throw new Error('no Booms here');
            return s;
          }),
        },
      ],
    });
    const w = watch(org);
    const thread = await org.send('greeter', '<greeting><name>Boom</name></greeting>');
    await org.whenIdle();
    expect(w.errors).toEqual([expect.objectContaining({ code: 'ORG_ERR_OPERATOR', step: 'extractPayload', from: 'user', thread })]);
    expect(w.errors[0]!.message).toContain('no Booms here');
    expect(w.huhs()).toEqual([expect.objectContaining({ to: 'user', thread, payload: expect.stringContaining('<code>ORG_ERR_OPERATOR</code>') })]);
    await expectStillServing(org, w);
  });

  it.each([...STEP_NAMES])('an asynchronous operator after %s still delivers (the document is parsed again)', async (after) => {
    await using org = createOrganism({ listeners: [greeter], operators: [{ after, operator: delay(2) }] });
    const w = watch(org);
    await org.send('greeter', GREETING);
    await org.whenIdle();
    expect(w.errors).toEqual([]);
    expect(w.egress.map((m) => [m.from, m.payload])).toEqual([['greeter', HELLO_WORLD]]);
  });

  it("parses the document again under the organism's own limits, not the defaults", async () => {
    const big = 'x'.repeat(1_200_000); // above the 1 MiB default, within the configured limit
    await using org = createOrganism({
      listeners: [greeter],
      limits: { maxBytes: 4 * 1024 * 1024 },
      operators: [{ after: 'canonicalize', operator: delay(1) }],
    });
    const w = watch(org);
    await org.send('greeter', `<greeting><name>${big}</name></greeting>`);
    await org.whenIdle();
    expect(w.errors).toEqual([]);
    expect(w.egress).toHaveLength(1);
    expect(w.egress[0]!.payload).toContain(big);
  });

  it('several hooks after the same step run in the order given', async () => {
    const order: string[] = [];
    const hook = (name: string): OperatorHook => ({ after: 'route', operator: tap(() => order.push(name)) });
    await using org = createOrganism({ listeners: [greeter], operators: [hook('first'), hook('second')] });
    await org.send('greeter', GREETING);
    await org.whenIdle();
    expect(order).toEqual(['first', 'second', 'first', 'second']);
  });

  it('refuses a hook naming no step with ORG_ERR_CONFIG', () => {
    const create = () => createOrganism({ listeners: [greeter], operators: [{ after: 'routing' as 'route', operator: tap() }] });
    expect(create).toThrow(OrganismError);
    expect(create).toThrow(expect.objectContaining({ code: 'ORG_ERR_CONFIG', message: expect.stringContaining('"after: routing"') }));
  });
});
