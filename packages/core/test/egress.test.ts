import { describe, it, expect } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createOrganism, loadOrganism, sendTo } from '../src/index.js';
import { greeter, Note, Ping, listener } from './support/contracts.js';
import { watch } from './support/organismWatch.js';

/** A listener that writes one note to whatever name the ping's number picks. */
const names = ['user', 'auditor', 'nobody', 'alice'];
const router = listener('router', Ping, { handler: ({ n }: { n: number }) => sendTo(names[n]!, Note.of({ text: `for ${names[n]}` })) });

describe('egress: only known external parties', () => {
  it('fails a message from outside to a name that is no listener with ORG_ERR_ROUTE_UNKNOWN and a <huh> to the sender', async () => {
    await using org = createOrganism({ listeners: [greeter], externals: ['auditor'] });
    const w = watch(org);
    for (const to of ['nobody', 'auditor']) {
      const thread = await org.send(to, '<x/>');
      await org.whenIdle();
      expect(w.errors.filter((e) => e.thread === thread).map((e) => [e.code, e.step, e.message])).toEqual([
        ['ORG_ERR_ROUTE_UNKNOWN', 'route', `no listener is named "${to}": a message from outside the organism may address listeners only`],
      ]);
      expect(w.egress.filter((m) => m.thread === thread).map((m) => [m.tag, m.from, m.to])).toEqual([['huh', 'organism', 'user']]);
    }
    expect(w.egress.some((m) => m.tag === 'x')).toBe(false);
    expect(org.stats().egressed).toBe(2);
  });

  it("lets a listener reach the thread's sender and declared externals, and refuses anyone else with a <huh> to the listener", async () => {
    await using org = createOrganism({ listeners: [router], externals: ['Auditor'] });
    const w = watch(org);
    const threads: string[] = [];
    for (let n = 0; n < 3; n++) threads.push(await org.send('router', `<ping><n>${n}</n></ping>`));
    await org.whenIdle();
    const notes = w.egress.filter((m) => m.tag === 'note');
    expect(notes.map((m) => [m.from, m.to, m.thread])).toEqual([
      ['router', 'user', threads[0]],
      ['router', 'auditor', threads[1]],
    ]);
    expect(w.errors.map((e) => [e.code, e.thread, e.from])).toEqual([['ORG_ERR_ROUTE_UNKNOWN', threads[2], 'router']]);
    expect(w.errors[0]!.message).toBe(
      '"nobody" is neither a listener nor a known external party: address a listener, the thread\'s sender "user", or a name declared under externals: in organism.yaml',
    );
    // The <huh> goes back to the listener that wrote it (here: a listener without on_huh, so it is reported and dropped).
    expect(w.egress.filter((m) => m.thread === threads[2] && m.tag === 'note')).toEqual([]);
  });

  it('lets a listener reach a connected party only while it is connected, counting connections', async () => {
    await using org = createOrganism({ listeners: [router] });
    const w = watch(org);
    const toAlice = async () => {
      const thread = await org.send('router', '<ping><n>3</n></ping>');
      await org.whenIdle();
      return w.egress.some((m) => m.thread === thread && m.tag === 'note' && m.to === 'alice');
    };
    expect(await toAlice()).toBe(false);
    const first = org.addExternal('ALICE');
    const second = org.addExternal('alice');
    expect(await toAlice()).toBe(true);
    first();
    first(); // idempotent: the second connection still holds
    expect(await toAlice()).toBe(true);
    second();
    expect(await toAlice()).toBe(false);
    expect(w.errors.filter((e) => e.code === 'ORG_ERR_ROUTE_UNKNOWN')).toHaveLength(2);
  });

  it('refuses an external party that is a listener, the organism itself or blank, as a config error', async () => {
    expect(() => createOrganism({ listeners: [greeter], externals: ['Greeter'] })).toThrow(
      expect.objectContaining({ code: 'ORG_ERR_CONFIG', message: 'externals: "Greeter" is a listener, not an external party' }),
    );
    expect(() => createOrganism({ listeners: [greeter], externals: ['organism'] })).toThrow(expect.objectContaining({ code: 'ORG_ERR_CONFIG' }));
    expect(() => createOrganism({ listeners: [greeter], externals: [' '] })).toThrow(expect.objectContaining({ code: 'ORG_ERR_CONFIG' }));
    await using org = createOrganism({ listeners: [greeter] });
    expect(() => org.addExternal('greeter')).toThrow(
      expect.objectContaining({ code: 'ORG_ERR_CONFIG', message: 'addExternal: "greeter" is a listener, not an external party' }),
    );
  });

  it('reads externals: from organism.yaml and points at the line of one that names a listener', async () => {
    // Inside the repository, so the handlers module resolves @organism/core and zod.
    const dir = await mkdtemp(join(process.cwd(), '.tmp-externals-'));
    try {
      const handlers = join(dir, 'handlers.mjs');
      await writeFile(
        handlers,
        [
          "import { definePayload, sendTo } from '@organism/core';",
          "import { z } from 'zod';",
          "export const Ping = definePayload('Ping', z.object({ n: z.number().int() }));",
          "export const Note = definePayload('Note', z.object({ text: z.string() }));",
          "export const route = ({ n }) => sendTo(n === 0 ? 'ledger' : 'nobody', Note.of({ text: 'entry' }));",
        ].join('\n'),
      );
      const yaml = (externals: string) =>
        [
          'organism:',
          '  name: books',
          'externals:',
          externals,
          'listeners:',
          '  - name: router',
          '    payload_class: handlers.mjs#Ping',
          '    handler: handlers.mjs#route',
          '    description: routes notes',
        ].join('\n');
      await writeFile(join(dir, 'good.yaml'), yaml('  - ledger'));
      await writeFile(join(dir, 'bad.yaml'), yaml('  - ledger\n  - Router'));
      const org = await loadOrganism(join(dir, 'good.yaml'));
      try {
        const w = watch(org);
        await org.send('router', '<ping><n>0</n></ping>');
        await org.send('router', '<ping><n>1</n></ping>');
        await org.whenIdle();
        expect(w.egress.filter((m) => m.tag === 'note').map((m) => m.to)).toEqual(['ledger']);
        expect(w.errors.map((e) => e.code)).toEqual(['ORG_ERR_ROUTE_UNKNOWN']);
      } finally {
        await org.close();
      }
      await expect(loadOrganism(join(dir, 'bad.yaml'))).rejects.toMatchObject({
        code: 'ORG_ERR_CONFIG',
        message: expect.stringMatching(/bad\.yaml:5 externals\[1\]: "Router" is a listener; externals names parties outside the organism$/),
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
