import { describe, it, expect } from '@jest/globals';
import { extractPayload } from '../../src/index.js';
import { GREETING } from '../support/contracts.js';
import { envelopeXml, rawEnvelope, THREAD } from '../support/envelopes.js';
import { marbles, parsed, releaseAll } from '../support/steps.js';

describe('extractPayload', () => {
  it('reads the meta fields and the canonical payload', () => {
    const withTo = parsed(envelopeXml({ from: ' user ', to: 'greeter', thread: THREAD }, '<Greeting><name>W</name></Greeting>'));
    const withoutTo = parsed(envelopeXml({ from: 'greeter', thread: 'not-a-uuid' }, '<greetingresponse><message>Hi</message></greetingresponse>'));
    marbles().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-(ab)|', { a: withTo, b: withoutTo });
      expectObservable(source.pipe(extractPayload())).toBe('-(ab)|', {
        a: expect.objectContaining({ from: 'user', to: 'greeter', thread: THREAD, tag: 'Greeting', payloadXml: '<Greeting><name>W</name></Greeting>' }),
        b: expect.objectContaining({
          from: 'greeter',
          to: undefined,
          thread: 'not-a-uuid',
          tag: 'greetingresponse',
          payloadXml: '<greetingresponse><message>Hi</message></greetingresponse>',
        }),
      });
      expectSubscriptions(source.subscriptions).toBe('^----!');
    });
    expect(withTo.error).toBeUndefined();
    releaseAll(withTo, withoutTo);
  });

  it('replaces <from> with the trusted identity of the injector', () => {
    const state = parsed(envelopeXml({ from: 'admin', to: 'greeter' }, GREETING), { identity: 'mallory' });
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('a|', { a: state }).pipe(extractPayload())).toBe('a|', { a: expect.objectContaining({ from: 'mallory' }) });
    });
    releaseAll(state);
  });

  it('fails an envelope without payload, or with two, with ORG_ERR_ENVELOPE_PAYLOAD', () => {
    const none = parsed(rawEnvelope(`<from>user</from><thread>${THREAD}</thread>`, ''));
    const two = parsed(rawEnvelope(`<from>user</from><thread>${THREAD}</thread>`, '<a xmlns=""/><b xmlns=""/>'));
    marbles().run(({ cold, expectObservable }) => {
      const failed = expect.objectContaining({ failedStep: 'extractPayload', error: expect.objectContaining({ code: 'ORG_ERR_ENVELOPE_PAYLOAD' }) });
      expectObservable(cold('ab|', { a: none, b: two }).pipe(extractPayload())).toBe('ab|', { a: failed, b: failed });
    });
    expect(none.payloadXml).toBeUndefined();
    releaseAll(none, two);
  });
});
