import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { mkdtemp, writeFile, rm, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { loadOrganism, OrganismError, type OrganismPlugin, type PluginListener } from '../src/index.js';

let dir: string;

const module = `
import { z } from 'zod';
import { definePayload } from '@organism/core';
export const Greeting = definePayload('Greeting', z.object({ name: z.string() }));
export const own = ({ name }: { name: string }) => \`<greetingresponse><message>own \${name}</message></greetingresponse>\`;
`;

const yaml = (extra: { section?: string; listener?: string; handler?: boolean } = {}) => `organism:
  name: plugged
${extra.section ?? ''}
listeners:
  - name: greeter
    payload_class: mods/greeting.ts#Greeting
${extra.handler ? '    handler: mods/greeting.ts#own\n' : ''}    description: Greets
${extra.listener ?? ''}
`;

async function file(body: string): Promise<string> {
  const path = join(dir, `${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(path, body);
  return path;
}

/** A plugin that owns `echo:` and the listener key `echo:`, and greets with its configured prefix. */
function echoPlugin(seen: { entries: PluginListener[]; closed: number }): OrganismPlugin {
  return {
    name: 'echo',
    section: 'echo',
    listenerKeys: ['echo'],
    configure(input) {
      const section = input.parse(z.object({ prefix: z.string().min(1), times: z.number().int().positive().default(1) }).strict(), input.section, ['echo']);
      seen.entries.push(...input.listeners);
      let calls = 0;
      return {
        listener: (entry) =>
          entry.keys.echo === true && !entry.handler
            ? { handler: ({ name }: { name: string }) => (calls++, `<greetingresponse><message>${section.prefix} ${name}</message></greetingresponse>`) }
            : undefined,
        extension: {
          name: 'echo',
          stats: () => ({ calls }),
          metrics: () => `echo_calls_total ${calls}\n`,
          close: () => {
            seen.closed++;
          },
        },
      };
    },
  };
}

beforeAll(async () => {
  dir = await mkdtemp(join(process.cwd(), '.tmp-plugin-'));
  await mkdir(join(dir, 'mods'));
  await writeFile(join(dir, 'mods', 'greeting.ts'), module);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('organism plugins (a section, listener keys, handlers, an extension)', () => {
  it('a plugin owns its section and listener keys, supplies the handler a listener lacks, and its extension shows in stats() and hears close()', async () => {
    const seen = { entries: [] as PluginListener[], closed: 0 };
    const org = await loadOrganism(await file(yaml({ section: 'echo:\n  prefix: Hi', listener: '    echo: true' })), {}, { plugins: [echoPlugin(seen)] });
    const replies: string[] = [];
    org.egress$.subscribe((m) => replies.push(m.payload));
    await org.send('greeter', '<greeting><name>World</name></greeting>');
    await org.whenIdle();
    expect(replies).toEqual(['<greetingresponse><message>Hi World</message></greetingresponse>']);
    expect(seen.entries.map((e) => ({ name: e.name, keys: e.keys, handler: e.handler }))).toEqual([{ name: 'greeter', keys: { echo: true }, handler: undefined }]);
    expect(org.stats().extensions).toEqual({ echo: { calls: 1 } });
    expect(org.extensions.map((e) => e.metrics?.())).toEqual(['echo_calls_total 1\n']);
    await org.close();
    await org.close();
    expect(seen.closed).toBe(1);
  });

  it('a listener with its own handler keeps it', async () => {
    const seen = { entries: [] as PluginListener[], closed: 0 };
    const org = await loadOrganism(await file(yaml({ section: 'echo:\n  prefix: Hi', handler: true })), {}, { plugins: [echoPlugin(seen)] });
    const replies: string[] = [];
    org.egress$.subscribe((m) => replies.push(m.payload));
    await org.send('greeter', '<greeting><name>W</name></greeting>');
    await org.whenIdle();
    await org.close();
    expect(replies).toEqual(['<greetingresponse><message>own W</message></greetingresponse>']);
    expect(typeof seen.entries[0]!.handler).toBe('function');
  });

  it("the plugin's section is checked with line-numbered messages worded as core's", async () => {
    const seen = { entries: [] as PluginListener[], closed: 0 };
    const load = async (section: string) => {
      try {
        await loadOrganism(await file(yaml({ section, listener: '    echo: true' })), {}, { plugins: [echoPlugin(seen)] });
      } catch (error) {
        return (error as OrganismError).message;
      }
      throw new Error('loaded');
    };
    expect(await load('echo:\n  prefix: Hi\n  times: 0')).toMatch(/\.yaml:5 echo\.times: must be > 0, got 0$/);
    expect(await load('echo:\n  prefx: Hi')).toMatch(/\.yaml:4 echo\.prefx: unknown key "prefx" \(did you mean "prefix"\?\)$/);
    expect(await load('echo:\n  times: 2')).toMatch(/\.yaml:3 echo: required key prefix is missing/);
    expect(await load('ecko:\n  prefix: Hi')).toMatch(/\.yaml:3 ecko: unknown key "ecko" \(did you mean "echo"\?\)$/);
  });

  it('without a plugin supplying one, a listener without handler is the usual error, and the section is an unknown key', async () => {
    const error = await loadOrganism(await file(yaml({ listener: '    echo: true' }))).catch((e: unknown) => e as OrganismError);
    expect((error as OrganismError).message).toMatch(/\.yaml:\d+ listeners\[0\]\.echo: unknown key "echo"/);
    const seen = { entries: [] as PluginListener[], closed: 0 };
    const missing = await loadOrganism(await file(yaml({ section: 'echo:\n  prefix: Hi' })), {}, { plugins: [echoPlugin(seen)] }).catch((e: unknown) => e as OrganismError);
    expect((missing as OrganismError).message).toMatch(/\.yaml:6 listeners\[0\]: required key handler is missing \(expected a module reference/);
  });
});
