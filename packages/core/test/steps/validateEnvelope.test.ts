import { describe, it, expect } from '@jest/globals';
import { validateEnvelope } from '../../src/index.js';
import { GREETING } from '../support/contracts.js';
import { envelopeXml, rawEnvelope, THREAD } from '../support/envelopes.js';
import { marbles, parsed, releaseAll } from '../support/steps.js';
import { parseXml } from '@organism/xml';

describe('validateEnvelope', () => {
  it('passes a valid envelope and fails one without <from> and <thread>, or with two payloads', () => {
    const valid = parsed(envelopeXml({ from: 'user', to: 'greeter' }, GREETING));
    const noMeta = parsed(rawEnvelope('<to>greeter</to>', '<greeting xmlns=""><name>W</name></greeting>'));
    const twoPayloads = parsed(rawEnvelope(`<from>user</from><thread>${THREAD}</thread>`, '<a xmlns=""/><b xmlns=""/>'));
    marbles().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('a-(bc)-|', { a: valid, b: noMeta, c: twoPayloads });
      const invalid = expect.objectContaining({ failedStep: 'validateEnvelope', error: expect.objectContaining({ code: 'ORG_ERR_ENVELOPE_INVALID' }) });
      expectObservable(source.pipe(validateEnvelope())).toBe('a-(bc)-|', { a: valid, b: invalid, c: invalid });
      expectSubscriptions(source.subscriptions).toBe('^------!');
    });
    expect(valid.error).toBeUndefined();
    expect(noMeta.error!.details!.join('\n')).toMatch(/to/);
    releaseAll(valid, noMeta, twoPayloads);
  });

  it('reports repaired input that is still no envelope as ORG_ERR_XML_PARSE, with the repair notes', () => {
    const input = '<not valid xml';
    const state = parsed(input);
    state.repairs = parseXml(input).repairs; // what the repair step records
    expect(state.repairs.length).toBeGreaterThan(0);
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('a|', { a: state }).pipe(validateEnvelope())).toBe('a|', {
        a: expect.objectContaining({ failedStep: 'validateEnvelope', error: expect.objectContaining({ code: 'ORG_ERR_XML_PARSE' }) }),
      });
    });
    expect(state.error!.details).toEqual(expect.arrayContaining([...state.repairs]));
    releaseAll(state);
  });

  it('reports a well-formed document that is no envelope as ORG_ERR_ENVELOPE_INVALID', () => {
    const state = parsed('<greeting><name>W</name></greeting>');
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('a|', { a: state }).pipe(validateEnvelope())).toBe('a|', {
        a: expect.objectContaining({ error: expect.objectContaining({ code: 'ORG_ERR_ENVELOPE_INVALID' }) }),
      });
    });
    releaseAll(state);
  });
});
