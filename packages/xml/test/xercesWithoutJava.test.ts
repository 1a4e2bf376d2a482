import { afterAll, describe, expect, it } from '@jest/globals';

// A JAVA_HOME without a java binary makes java unavailable for this test file's module registry only
// (isJavaAvailable caches per module instance); the real environment is restored afterwards.
const savedJavaHome = process.env['JAVA_HOME'];
process.env['JAVA_HOME'] = '/nonexistent/organism-test-jdk';
const { isJavaAvailable, libxml2Validator, xercesValidator } = await import('@organism/xml');

afterAll(() => {
  if (savedJavaHome === undefined) delete process.env['JAVA_HOME'];
  else process.env['JAVA_HOME'] = savedJavaHome;
});

describe('without java', () => {
  it('isJavaAvailable resolves false instead of throwing', async () => {
    expect(await isJavaAvailable()).toBe(false);
  });

  it('the Xerces backend still compiles, and validate rejects with ORG_ERR_VALIDATOR_UNAVAILABLE saying what to do', async () => {
    using schema = xercesValidator().compile(
      '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:element name="a"/></xs:schema>',
    );
    const rejection = schema.validate({ xml: '<a/>' });
    await expect(rejection).rejects.toMatchObject({ code: 'ORG_ERR_VALIDATOR_UNAVAILABLE' });
    await expect(rejection).rejects.toThrow(/install a JRE \(or set JAVA_HOME\), or use the libxml2 validator/);
  });

  it('everything else keeps working', () => {
    using schema = libxml2Validator.compile(
      '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:element name="a"/></xs:schema>',
    );
    expect(schema.validate({ xml: '<a/>' })).toEqual([]);
  });
});
