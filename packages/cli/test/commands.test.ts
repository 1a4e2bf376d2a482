import { describe, expect, it } from '@jest/globals';
import { cli } from './support/inProcess.js';

describe('organism validate', () => {
  it('checks the demo organism.yaml without starting it and exits 0', async () => {
    const { code, stdout } = await cli('validate', 'organism.yaml');
    expect(stdout).toBe('organism.yaml: ok (4 listeners, 5 root tags)\n');
    expect(code).toBe(0);
  });

  it('lists every mistake it finds and exits 1', async () => {
    const file = 'packages/cli/test/fixtures/broken.yaml';
    const { code, stderr } = await cli('validate', file);
    expect(code).toBe(1);
    expect(stderr).toContain(`${file}: 2 errors`);
    expect(stderr).toContain(`ORG_ERR_REGISTRATION: ${file}:11 listeners[1]: listener "Greeter": duplicate name, also listeners[0]`);
    expect(stderr).toContain(`ORG_ERR_REGISTRATION: ${file}:16 listeners[2]: listener "boss": peer "nobody" is not a listener`);
  });

  it('reports a file it cannot read with ORG_ERR_CONFIG', async () => {
    const { code, stderr } = await cli('validate', 'no-such-organism.yaml');
    expect(code).toBe(1);
    expect(stderr).toContain('ORG_ERR_CONFIG: no-such-organism.yaml: cannot read the file');
  });
});

describe('organism schema', () => {
  it('prints the XSD, the example or the tool prompt of a listener', async () => {
    const xsd = await cli('schema', 'greeter', '--xsd');
    expect(xsd.stdout).toContain('<xs:schema');
    expect(xsd.stdout).toContain('name="greeting"');
    const example = await cli('schema', 'greeter', '--example');
    expect(example.stdout).toBe('<greeting>\n  <name>text</name>\n</greeting>\n');
    const prompt = await cli('schema', 'calculator.add');
    expect(prompt.stdout).toContain('calculator.add.addpayload');
    expect(prompt.stdout).toContain('Adds two numbers');
    const both = await cli('schema', 'researcher', '--example');
    expect(both.stdout).toContain('<question>');
    expect(both.stdout).toContain('<calcresult>');
  });

  it('exits 1 for a listener the organism does not have, naming the ones it has', async () => {
    const { code, stderr } = await cli('schema', 'nobody');
    expect(code).toBe(1);
    expect(stderr).toContain('ORG_ERR_CLI_USAGE: no listener "nobody" in this organism; its listeners are: greeter, calculator.add');
  });

  it('refuses two artifacts at once', async () => {
    const { code, stderr } = await cli('schema', 'greeter', '--xsd', '--example');
    expect(code).toBe(1);
    expect(stderr).toContain("option '--xsd' cannot be used with option '--example'");
  });
});

describe('organism send (without a server)', () => {
  it('needs a token', async () => {
    const { code, stderr } = await cli('send', '--to', 'greeter', '<greeting><name>W</name></greeting>');
    expect(code).toBe(1);
    expect(stderr).toContain('ORG_ERR_CLI_USAGE: no token');
  });

  it('reports a server it cannot reach with ORG_ERR_CLIENT_CONNECT', async () => {
    const { code, stderr } = await cli('send', '--url', 'ws://127.0.0.1:9', '--token', 't', '<greeter.greeting><name>W</name></greeter.greeting>');
    expect(code).toBe(1);
    expect(stderr).toContain('ORG_ERR_CLIENT_CONNECT');
  });
});

describe('--help', () => {
  it.each(['run', 'send', 'validate', 'schema'])('organism %s --help shows examples', async (command) => {
    const { code, stdout } = await cli(command, '--help');
    expect(code).toBe(0);
    expect(stdout).toContain(`Usage: organism ${command}`);
    expect(stdout).toMatch(new RegExp(`Examples:\\n  \\$ organism ${command}\\b`));
  });

  it('organism --help lists every command with examples', async () => {
    const { stdout } = await cli('--help');
    for (const command of ['run', 'send', 'validate', 'schema']) expect(stdout).toContain(`  ${command} `);
    expect(stdout).toContain('Examples:');
  });
});
