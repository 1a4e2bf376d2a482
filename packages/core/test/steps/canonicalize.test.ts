import { describe, it, expect } from '@jest/globals';
import { ENVELOPE_NS } from '@organism/xml';
import { canonicalize } from '../../src/index.js';
import { THREAD } from '../support/envelopes.js';
import { arriving, marbles, parsed, releaseAll } from '../support/steps.js';

describe('canonicalize', () => {
  it('writes the exclusive C14N of the envelope: no declaration, unused namespaces dropped, sorted attributes, expanded empty elements', () => {
    const input =
      `<?xml version="1.0"?>\n<message xmlns="${ENVELOPE_NS}" xmlns:unused="urn:x"><meta><from>user</from><thread>${THREAD}</thread></meta>` +
      `<greeting xmlns="" z="1" a="2"><name>W</name><empty/></greeting></message>`;
    const state = parsed(input);
    const other = parsed(`<message xmlns="${ENVELOPE_NS}"><meta><from>a</from><thread>t</thread></meta><x xmlns=""/></message>`);
    marbles().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('--(ab)|', { a: state, b: other });
      expectObservable(source.pipe(canonicalize())).toBe('--(ab)|', {
        a: expect.objectContaining({
          canonical:
            `<message xmlns="${ENVELOPE_NS}"><meta><from>user</from><thread>${THREAD}</thread></meta>` +
            `<greeting xmlns="" a="2" z="1"><name>W</name><empty></empty></greeting></message>`,
        }),
        b: expect.objectContaining({ canonical: `<message xmlns="${ENVELOPE_NS}"><meta><from>a</from><thread>t</thread></meta><x xmlns=""></x></message>` }),
      });
      expectSubscriptions(source.subscriptions).toBe('^-----!');
    });
    releaseAll(state, other);
  });

  it('fails with ORG_ERR_INTERNAL when no document was parsed (the repair step did not run)', () => {
    const state = arriving('<x/>');
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('a|', { a: state }).pipe(canonicalize())).toBe('a|', {
        a: expect.objectContaining({ failedStep: 'canonicalize', error: expect.objectContaining({ code: 'ORG_ERR_INTERNAL' }) }),
      });
    });
    expect(state.canonical).toBeUndefined();
  });
});
