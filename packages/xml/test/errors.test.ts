import { describe, expect, it } from '@jest/globals';
import { ErrorCodes, OrganismError, isOrganismError, type ErrorCode } from '@organism/xml';

describe('OrganismError', () => {
  it('carries a stable code, a message, frozen details and the original error as cause', () => {
    const cause = new Error('libxml2 said no');
    const error = new OrganismError('ORG_ERR_XML_PARSE', 'line 1: broken; fix it', { cause, details: ['a', 'b'] });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('OrganismError');
    expect(error.code).toBe('ORG_ERR_XML_PARSE');
    expect(error.message).toBe('line 1: broken; fix it');
    expect(error.details).toEqual(['a', 'b']);
    expect(Object.isFrozen(error.details)).toBe(true);
    expect(error.cause).toBe(cause);
  });

  it('has no details or cause when none are given', () => {
    const error = new OrganismError('ORG_ERR_CONFIG', 'bad');
    expect(error.details).toBeUndefined();
    expect('cause' in error).toBe(false);
  });

  it('isOrganismError narrows by class and optionally by code', () => {
    const error = new OrganismError('ORG_ERR_XML_DTD', 'no DTDs');
    expect(isOrganismError(error)).toBe(true);
    expect(isOrganismError(error, 'ORG_ERR_XML_DTD')).toBe(true);
    expect(isOrganismError(error, 'ORG_ERR_XML_PARSE')).toBe(false);
    expect(isOrganismError(new Error('plain'))).toBe(false);
  });
});

describe('ErrorCodes', () => {
  it('registers the xml, schema and core codes, each with a one-line description', () => {
    const expected: ErrorCode[] = [
      'ORG_ERR_XML_TOO_LARGE',
      'ORG_ERR_XML_TOO_DEEP',
      'ORG_ERR_XML_DTD',
      'ORG_ERR_XML_PARSE',
      'ORG_ERR_ENVELOPE_INVALID',
      'ORG_ERR_ENVELOPE_PAYLOAD',
      'ORG_ERR_RESPONSE_TOO_MANY',
      'ORG_ERR_RESPONSE_ENVELOPE',
      'ORG_ERR_RESPONSE_PARSE',
      'ORG_ERR_XSD_COMPILE',
      'ORG_ERR_VALIDATOR_UNAVAILABLE',
      'ORG_ERR_SCHEMA_UNSUPPORTED',
      'ORG_ERR_PAYLOAD_INVALID',
      'ORG_ERR_PAYLOAD_DESERIALIZE',
      'ORG_ERR_ROUTE_UNKNOWN',
      'ORG_ERR_HANDLER_THREW',
      'ORG_ERR_HANDLER_RESULT',
      'ORG_ERR_BUSY',
      'ORG_ERR_CLOSED',
      'ORG_ERR_CONFIG',
      'ORG_ERR_REGISTRATION',
    ];
    for (const code of expected) expect(ErrorCodes).toHaveProperty(code);
    for (const [code, description] of Object.entries(ErrorCodes)) {
      expect(code).toMatch(/^ORG_ERR_[A-Z0-9_]+$/);
      expect(description.length).toBeGreaterThan(10);
      expect(description).not.toContain('\n');
    }
  });
});
