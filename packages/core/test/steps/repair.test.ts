import { describe, it, expect } from '@jest/globals';
import { DEFAULT_XML_LIMITS, ENVELOPE_NS } from '@organism/xml';
import { repair } from '../../src/index.js';
import { GREETING } from '../support/contracts.js';
import { envelopeXml, THREAD } from '../support/envelopes.js';
import { arriving, marbles, releaseAll } from '../support/steps.js';

const env = { limits: DEFAULT_XML_LIMITS };

describe('repair', () => {
  it('parses well-formed input without repairs and repairs malformed input, recording what it changed', () => {
    const good = arriving(envelopeXml({ from: 'user', to: 'greeter' }, GREETING));
    // the closing </message> is missing
    const broken = arriving(`<message xmlns="${ENVELOPE_NS}"><meta><from>user</from><thread>${THREAD}</thread></meta>${GREETING}`);
    marbles().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a--b-|', { a: good, b: broken });
      expectObservable(source.pipe(repair(env))).toBe('-a--b-|', {
        a: expect.objectContaining({ repairs: [], parsed: expect.anything() }),
        b: expect.objectContaining({ parsed: expect.anything(), repairs: expect.arrayContaining([expect.stringMatching(/line 1/)]) }),
      });
      expectSubscriptions(source.subscriptions).toBe('^-----!');
    });
    expect(good.error).toBeUndefined();
    expect(broken.error).toBeUndefined();
    expect(broken.parsed!.doc.root.name).toBe('message');
    releaseAll(good, broken);
  });

  it('fails a DTD, an oversized and a too deep input at this step, two of them in one frame', () => {
    const dtd = arriving('<!DOCTYPE m [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><m>&b;</m>');
    const large = arriving(`<m>${'x'.repeat(300)}</m>`);
    const deep = arriving(`${'<d>'.repeat(10)}${'</d>'.repeat(10)}`);
    marbles().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-(ab)c|', { a: dtd, b: large, c: deep });
      expectObservable(source.pipe(repair({ limits: { ...DEFAULT_XML_LIMITS, maxBytes: 200, maxDepth: 5 } }))).toBe('-(ab)c|', {
        a: expect.objectContaining({ failedStep: 'repair', error: expect.objectContaining({ code: 'ORG_ERR_XML_DTD' }) }),
        b: expect.objectContaining({ failedStep: 'repair', error: expect.objectContaining({ code: 'ORG_ERR_XML_TOO_LARGE' }) }),
        c: expect.objectContaining({ failedStep: 'repair', error: expect.objectContaining({ code: 'ORG_ERR_XML_TOO_DEEP' }) }),
      });
      expectSubscriptions(source.subscriptions).toBe('^-----!');
    });
    for (const state of [dtd, large, deep]) expect(state.parsed).toBeUndefined();
  });

  it('fails text that cannot be repaired into a document with ORG_ERR_XML_PARSE', () => {
    const empty = arriving('   ');
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('a|', { a: empty }).pipe(repair(env))).toBe('a|', {
        a: expect.objectContaining({ failedStep: 'repair', error: expect.objectContaining({ code: 'ORG_ERR_XML_PARSE' }) }),
      });
    });
  });
});
