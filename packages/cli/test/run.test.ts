import { describe, it, expect } from '@jest/globals';
import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { loadOrganism } from '@organism/core';
import { runConsole } from '../src/console.js';

/** Run the real CLI process with piped stdin; resolve with its output and exit code. */
function runCli(args: string[], stdin: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['packages/cli/bin/organism.js', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

describe('organism run (a real child process, stdin not a terminal)', () => {
  it('prints the greeter reply for piped input and exits 0', async () => {
    const { code, stdout } = await runCli(['run', 'organism.yaml'], '@greeter <greeting><name>World</name></greeting>\n');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^greeter → user \[[0-9a-f]{8}\] .*Hello, World!/m);
  });

  it('prints the coded error for a malformed line and keeps going', async () => {
    const { code, stdout } = await runCli(
      ['run'],
      'this is not a command\n<not valid xml\n@greeter <greeting><name>Again</name></greeting>\n',
    );
    expect(code).toBe(0);
    expect(stdout).toContain('error ORG_ERR_CONSOLE_INPUT');
    expect(stdout).toContain('error ORG_ERR_XML_PARSE');
    expect(stdout).toMatch(/huh → user .*ORG_ERR_XML_PARSE/);
    expect(stdout).toContain('Hello, Again!');
  });

  it('answers a line addressed to no listener with ORG_ERR_ROUTE_UNKNOWN and a <huh>, not a silent egress', async () => {
    const { code, stdout } = await runCli(['run'], '@nobody <x/>\n@greeter <greeting><name>After</name></greeting>\n');
    expect(code).toBe(0);
    expect(stdout).toContain('error ORG_ERR_ROUTE_UNKNOWN: no listener is named "nobody": a message from outside the organism may address listeners only');
    expect(stdout).toMatch(/^huh → user \[[0-9a-f]{8}\] <huh><code>ORG_ERR_ROUTE_UNKNOWN<\/code>/m);
    expect(stdout).not.toMatch(/→ nobody/);
    expect(stdout).toContain('Hello, After!');
  });

  it('runs the researcher agent through its calculator peers', async () => {
    const { stdout } = await runCli(['run'], '@researcher <question><a>6</a><b>7</b></question>\n');
    expect(stdout).toMatch(/researcher → user .*<sum>13<\/sum><product>42<\/product>/);
  });

  it('exits 1 with the coded error when organism.yaml is broken', async () => {
    const { code, stderr } = await runCli(['run', 'no-such-file.yaml'], '');
    expect(code).toBe(1);
    expect(stderr).toContain('ORG_ERR_CONFIG');
  });
});

describe('runConsole', () => {
  it('sends "@listener payload" lines as the user and prints replies on the same thread', async () => {
    const org = await loadOrganism('organism.yaml');
    const input = new PassThrough();
    const output = new PassThrough();
    let printed = '';
    output.on('data', (d: Buffer) => (printed += d.toString()));
    input.end('@greeter <greeting><name>Console</name></greeting>\nhelp\n');
    await runConsole(org, { input, output, interactive: false });
    await org.close();
    expect(printed).toContain('Hello, Console!');
    expect(printed).toContain('type "@<listener> <payload xml>"');
  });
});
