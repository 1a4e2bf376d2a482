import { afterEach, describe, expect, it } from '@jest/globals';
import { createLogger, formatLogLine, logOrganism } from '../src/index.js';
import { GREETING, testOrganism } from './support/testOrganism.js';
import type { Organism } from '@organism/core';

function capture() {
  const lines: string[] = [];
  return { lines, destination: { write: (line: string) => void lines.push(line) } };
}

let org: Organism | undefined;
afterEach(async () => {
  await org?.close();
  org = undefined;
});

describe('createLogger', () => {
  it('writes JSON lines when not pretty', () => {
    const { lines, destination } = capture();
    createLogger({ destination, pretty: false }).info({ url: 'ws://x' }, 'listening');
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 30, msg: 'listening', url: 'ws://x' });
  });

  it('writes one human-readable line per record when pretty', () => {
    const { lines, destination } = capture();
    createLogger({ destination, pretty: true, level: 'debug' }).debug({ listener: 'greeter', note: 'two words' }, 'routed');
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} DEBUG routed listener=greeter note="two words"\n$/);
  });

  it('refuses an unknown level', () => {
    expect(() => createLogger({ level: 'loud' })).toThrow(/unknown log level "loud"/);
  });

  it('formats a line that is not JSON as it is', () => {
    expect(formatLogLine('plain')).toBe('plain\n');
  });
});

describe('logOrganism', () => {
  it('logs each routed message at debug and each error at warn', async () => {
    org = testOrganism();
    const { lines, destination } = capture();
    const logging = logOrganism(org, createLogger({ destination, pretty: false, level: 'debug' }));
    await org.send('greeter', GREETING, { from: 'tester' });
    await org.send('greeter', '<greeting><nom>x</nom></greeting>', { from: 'tester' });
    await org.whenIdle();
    logging.unsubscribe();
    const records = lines.map((line) => JSON.parse(line) as { level: number; msg: string; code?: string; listener?: string });
    expect(records.filter((r) => r.msg === 'routed')).toEqual([expect.objectContaining({ level: 20, listener: 'greeter', from: 'tester' })]);
    expect(records.filter((r) => r.level === 40)).toEqual([expect.objectContaining({ code: 'ORG_ERR_PAYLOAD_INVALID' })]);
    expect(records.filter((r) => r.msg === 'egress')).toHaveLength(2);
  });

  it('writes nothing for routed messages at info level', async () => {
    org = testOrganism();
    const { lines, destination } = capture();
    const logging = logOrganism(org, createLogger({ destination, pretty: false, level: 'info' }));
    await org.send('greeter', GREETING);
    await org.whenIdle();
    logging.unsubscribe();
    expect(lines).toEqual([]);
  });
});
