import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { mkdtemp, writeFile, rm, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfig, loadOrganism, OrganismError } from '../src/index.js';

let dir: string;

const greeterModule = `
import { z } from 'zod';
import { definePayload } from '@organism/core';
export const Greeting = definePayload('Greeting', z.object({ name: z.string() }));
export const PlainGreeting = z.object({ name: z.string() });
export const Dated = definePayload('Dated', z.object({ when: z.date() }));
export const handleGreeting = ({ name }: { name: string }) => \`<greetingresponse><message>Hello, \${name}!</message></greetingresponse>\`;
export const notAFunction = 42;
`;

async function yamlFile(name: string, body: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, body);
  return file;
}

async function failure(promise: Promise<unknown>): Promise<OrganismError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(OrganismError);
    return error as OrganismError;
  }
  throw new Error('expected the load to fail');
}

const listener = (extra = '', handler = 'handleGreeting', payload = 'Greeting') => `organism:
  name: test
listeners:
  - name: greeter
    payload_class: mods/greeter.ts#${payload}
    handler: mods/greeter.ts#${handler}
    description: Greets${extra}
`;

beforeAll(async () => {
  // inside the repository, so the modules it writes resolve zod and @organism/core
  dir = await mkdtemp(join(process.cwd(), '.tmp-config-'));
  await mkdir(join(dir, 'mods'));
  await writeFile(join(dir, 'mods', 'greeter.ts'), greeterModule);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadConfig / loadOrganism', () => {
  it('loads the root organism.yaml with its defaults and TypeScript modules', async () => {
    const { config, options } = await loadConfig('organism.yaml');
    expect(config.organism.name).toBe('demo');
    expect(options.listeners.map((l) => l.name)).toEqual(['greeter', 'calculator.add', 'calculator.multiply', 'researcher']);
    expect(options.maxQueued).toBe(10_000);
    expect(options.threadScheduling).toBe('breadth-first');
    expect(Array.isArray(options.listeners[3]!.payload)).toBe(true);
  });

  it('accepts a plain z.object export as payload_class, named after the export', async () => {
    const org = await loadOrganism(await yamlFile('plain.yaml', listener('', 'handleGreeting', 'PlainGreeting')));
    try {
      expect([...org.routing.listeners.get('greeter')!.types.keys()]).toEqual(['plaingreeting']);
    } finally {
      await org.close();
    }
  });

  it('reports an unknown key with file, line, key path and a did-you-mean hint', async () => {
    const file = await yamlFile('typo.yaml', listener('\n    brodcast: true'));
    const error = await failure(loadConfig(file));
    expect(error.code).toBe('ORG_ERR_CONFIG');
    expect(error.message).toContain('typo.yaml:8 listeners[0].brodcast');
    expect(error.message).toContain('did you mean "broadcast"');
  });

  it('reads organism.metrics_token, and suggests it for a typo', async () => {
    const { config } = await loadConfig(await yamlFile('metrics.yaml', listener().replace('  name: test\n', '  name: test\n  metrics_token: scrape\n')));
    expect(config.organism.metrics_token).toBe('scrape');
    const error = await failure(loadConfig(await yamlFile('metrics-typo.yaml', listener().replace('  name: test\n', '  name: test\n  metric_token: scrape\n'))));
    expect(error.message).toContain('organism.metric_token');
    expect(error.message).toContain('did you mean "metrics_token"');
  });

  it('reads organism.tls, and suggests its keys for a typo', async () => {
    const tls = '  tls:\n    cert_file: cert.pem\n    key_file: key.pem\n';
    const { config } = await loadConfig(await yamlFile('tls.yaml', listener().replace('  name: test\n', `  name: test\n${tls}`)));
    expect(config.organism.tls).toEqual({ cert_file: 'cert.pem', key_file: 'key.pem' });
    const typo = await failure(loadConfig(await yamlFile('tls-typo.yaml', listener().replace('  name: test\n', `  name: test\n${tls}    keyfile: other.pem\n`))));
    expect(typo.message).toContain('organism.tls.keyfile');
    expect(typo.message).toContain('did you mean "key_file"');
  });

  it.each([
    ['a missing required key, at the listener that lacks it', (y: string) => y.replace('    payload_class: mods/greeter.ts#Greeting\n', ''),
      'missing-key.yaml:4 listeners[0]: required key payload_class is missing (expected a module reference "path/to/module.ts#ExportName", or a list of them)'],
    ['a missing description', (y: string) => y.replace('    description: Greets\n', ''),
      'missing-key.yaml:4 listeners[0]: required key description is missing (expected a string)'],
    ['a missing listeners list', (y: string) => y.replace(/listeners:[\s\S]*/, ''),
      'missing-key.yaml: required key listeners is missing'],
    ['a value of the wrong type', (y: string) => y.replace('  name: test\n', '  name: test\nmax_hops: many\n'),
      'missing-key.yaml:3 max_hops: expected a number, got the string "many"'],
    ['a number out of range', (y: string) => y.replace('  name: test\n', '  name: test\n  port: 70000\n'),
      'missing-key.yaml:3 organism.port: must be ≤ 65535, got 70000'],
    ['an enum value that is not an option', (y: string) => y.replace('  name: test\n', '  name: test\nwhen_full: drop\n'),
      'missing-key.yaml:3 when_full: expected one of "wait", "reject", got the string "drop"'],
    ['a wrong item inside a list of payload classes', (y: string) => y.replace('payload_class: mods/greeter.ts#Greeting', 'payload_class:\n      - mods/greeter.ts#Greeting\n      - 42'),
      'missing-key.yaml:7 listeners[0].payload_class[1]: expected a string, got 42'],
    ['a module reference without #export', (y: string) => y.replace('handler: mods/greeter.ts#handleGreeting', 'handler: mods/greeter.ts'),
      'missing-key.yaml:6 listeners[0].handler: expected "path/to/module.ts#ExportName", got the string "mods/greeter.ts"'],
  ])('reports %s in words, with the line, not zod\'s "Invalid input"', async (_name, edit, message) => {
    const error = await failure(loadConfig(await yamlFile('missing-key.yaml', edit(listener()))));
    expect(error.code).toBe('ORG_ERR_CONFIG');
    expect(error.message).toContain(message);
    expect(error.message).not.toMatch(/Invalid input|Invalid option|Too small|Too big/);
  });

  it('reports a missing export with a suggestion', async () => {
    const file = await yamlFile('export.yaml', listener('', 'handleGreting'));
    const error = await failure(loadConfig(file));
    expect(error.message).toContain('export.yaml:6 listeners[0].handler');
    expect(error.message).toContain('export "handleGreting" not found in mods/greeter.ts (did you mean "handleGreeting"?)');
  });

  it('reports a module that does not exist', async () => {
    const file = await yamlFile('module.yaml', listener().replace('handler: mods/greeter.ts', 'handler: mods/nothere.ts'));
    const error = await failure(loadConfig(file));
    expect(error.message).toMatch(/module\.yaml:6 listeners\[0\]\.handler: module mods\/nothere\.ts (not found|failed to load)/);
  });

  it('reports a handler export that is not a function', async () => {
    const error = await failure(loadConfig(await yamlFile('nofn.yaml', listener('', 'notAFunction'))));
    expect(error.message).toContain('is not a function');
  });

  it('reports a wrong value type with its key path', async () => {
    const file = await yamlFile('type.yaml', `max_concurrent_handlers: many\n${listener()}`);
    const error = await failure(loadConfig(file));
    expect(error.message).toContain('type.yaml:1 max_concurrent_handlers');
  });

  it('reports a bad thread_scheduling value', async () => {
    const error = await failure(loadConfig(await yamlFile('sched.yaml', `thread_scheduling: sideways\n${listener()}`)));
    expect(error.message).toContain('sched.yaml:1 thread_scheduling');
  });

  it('reads xml_worker (default auto) and reports a bad value', async () => {
    const { options } = await loadConfig('organism.yaml');
    expect(options.xmlWorker).toBe('auto');
    const off = await loadConfig(await yamlFile('worker-off.yaml', `xml_worker: off\n${listener()}`));
    expect(off.options.xmlWorker).toBe('off');
    const error = await failure(loadConfig(await yamlFile('worker.yaml', `xml_worker: sometimes\n${listener()}`)));
    expect(error.code).toBe('ORG_ERR_CONFIG');
    expect(error.message).toContain('worker.yaml:1 xml_worker');
  });

  it('reports YAML syntax errors with a line', async () => {
    const error = await failure(loadConfig(await yamlFile('syntax.yaml', 'organism:\n  name: [unclosed\nlisteners: x\n')));
    expect(error.code).toBe('ORG_ERR_CONFIG');
    expect(error.message).toMatch(/syntax\.yaml:\d+: not valid YAML/);
  });

  it('reports a file that cannot be read', async () => {
    const error = await failure(loadConfig(join(dir, 'missing.yaml')));
    expect(error.message).toContain('cannot read the file');
  });

  it('reports a payload contract zod cannot express as XSD at the listener, before anything runs', async () => {
    const error = await failure(loadOrganism(await yamlFile('dated.yaml', listener('', 'handleGreeting', 'Dated'))));
    expect(error.code).toBe('ORG_ERR_SCHEMA_UNSUPPORTED');
    expect(error.message).toContain('dated.yaml:4 listeners[0]');
    expect(error.message).toContain("'when'");
  });

  it('reports an unknown peer', async () => {
    const error = await failure(loadOrganism(await yamlFile('peer.yaml', listener('\n    peers: [nobody]'))));
    expect(error.code).toBe('ORG_ERR_REGISTRATION');
    expect(error.message).toContain('peer "nobody"');
  });
});
