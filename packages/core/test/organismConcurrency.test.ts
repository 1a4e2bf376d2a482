import { describe, it, expect, jest } from '@jest/globals';
import { Observable } from 'rxjs';
import { createOrganism, type ListenerSpec } from '../src/index.js';
import { deferred, Gate } from './support/deferred.js';
import { Note, Ping, listener } from './support/contracts.js';
import { watch } from './support/organismWatch.js';

// A release the test forgot, or a stream the pump failed to dispatch early, fails in 5 s, not 30.
jest.setTimeout(5000);

const gated = (name: string, gate: Gate): ListenerSpec => listener(name, Ping, { handler: () => gate.enter() });

describe('organism: concurrency limits', () => {
  it('never runs more than maxConcurrentHandlers handlers at once across listeners', async () => {
    const gate = new Gate();
    const names = ['w0', 'w1', 'w2', 'w3'];
    await using org = createOrganism({ listeners: names.map((n) => gated(n, gate)), maxConcurrentHandlers: 3 });
    for (let i = 0; i < 10; i++) await org.send(names[i % 4]!, `<ping><n>${i}</n></ping>`);
    await gate.whenEntered(3);
    expect(org.stats()).toMatchObject({ inFlight: 3, queued: 7 });
    for (let done = 0; done < 10; done++) {
      await gate.whenEntered(Math.min(10, done + 3));
      gate.releaseOne();
    }
    await org.whenIdle();
    expect(gate.max).toBe(3);
    expect(gate.exited).toBe(10);
    expect(org.stats()).toMatchObject({ inFlight: 0, queued: 0, pending: 0, routed: 10 });
  });

  it('bounds each listener by maxConcurrentPerAgent while other listeners keep running', async () => {
    const busy = new Gate();
    const other = new Gate();
    await using org = createOrganism({ listeners: [gated('busy', busy), gated('other', other)], maxConcurrentPerAgent: 2 });
    for (let i = 0; i < 5; i++) await org.send('busy', `<ping><n>${i}</n></ping>`);
    await org.send('other', '<ping><n>9</n></ping>');
    await busy.whenEntered(2);
    // the other listener gets in while the busy one is saturated with three calls waiting
    await other.whenEntered(1);
    expect(busy.inFlight).toBe(2);
    expect(org.stats()).toMatchObject({ inFlight: 3, queued: 3 });
    other.releaseOne();
    for (let done = 0; done < 5; done++) {
      await busy.whenEntered(Math.min(5, done + 2));
      busy.releaseOne();
    }
    await org.whenIdle();
    expect(busy.max).toBe(2);
    expect(busy.exited).toBe(5);
  });

  it('gives a free global slot to another listener rather than to a saturated one (no head-of-line blocking)', async () => {
    const busy = new Gate();
    const other = new Gate();
    await using org = createOrganism({ listeners: [gated('busy', busy), gated('other', other)], maxConcurrentHandlers: 2, maxConcurrentPerAgent: 1 });
    for (let i = 0; i < 3; i++) await org.send('busy', `<ping><n>${i}</n></ping>`);
    await org.send('other', '<ping><n>9</n></ping>');
    await busy.whenEntered(1);
    await other.whenEntered(1);
    expect(org.stats()).toMatchObject({ inFlight: 2, queued: 2 });
    other.releaseOne();
    for (let done = 0; done < 3; done++) {
      await busy.whenEntered(done + 1);
      busy.releaseOne();
    }
    await org.whenIdle();
    expect(busy.max).toBe(1);
  });
});

describe('organism: streaming handler output', () => {
  /**
   * The writer streams two notes; it cannot write the second until the reader has handled the
   * first. If the pump waited for the end of the stream before dispatching, this would deadlock.
   */
  function streamingPair(stream: (firstHandled: Promise<void>, log: string[]) => ListenerSpec['handler']) {
    const log: string[] = [];
    const firstHandled = deferred();
    const reader = jest.fn(({ text }: { text: string }) => {
      log.push(`reader:${text}`);
      firstHandled.resolve();
    });
    return {
      log,
      reader,
      listeners: [listener('writer', Ping, { handler: stream(firstHandled.promise, log) }), listener('reader', Note, { handler: reader })],
    };
  }

  it('dispatches each payload of an AsyncIterable as soon as it closes, while the handler still writes', async () => {
    const pair = streamingPair((firstHandled, log) => () =>
      (async function* () {
        try {
          yield 'Let me think. <note><te';
          yield 'xt>first</text></no';
          yield 'te> and';
          await firstHandled;
          log.push('writer:resumed');
          yield ' <note><text>second</text></note>';
        } finally {
          log.push('writer:done');
        }
      })(),
    );
    await using org = createOrganism({ listeners: pair.listeners });
    const w = watch(org);
    const thread = await org.send('writer', '<ping><n>1</n></ping>');
    await org.whenIdle();
    expect(pair.log.slice(0, 2)).toEqual(['reader:first', 'writer:resumed']);
    expect(pair.log.sort()).toEqual(['reader:first', 'reader:second', 'writer:done', 'writer:resumed']);
    expect(w.messages.filter((m) => m.listener === 'reader').map((m) => [m.from, m.thread, m.payload])).toEqual([
      ['writer', thread, '<note><text>first</text></note>'],
      ['writer', thread, '<note><text>second</text></note>'],
    ]);
    expect(w.errors).toEqual([]);
  });

  it('does the same for an Observable of text chunks', async () => {
    const pair = streamingPair((firstHandled, log) => () =>
      new Observable<string>((subscriber) => {
        subscriber.next('<note><text>fir');
        subscriber.next('st</text></note>');
        void firstHandled.then(() => {
          log.push('writer:resumed');
          subscriber.next('<note><text>second</text></note>');
          log.push('writer:done');
          subscriber.complete();
        });
      }),
    );
    await using org = createOrganism({ listeners: pair.listeners });
    await org.send('writer', '<ping><n>1</n></ping>');
    await org.whenIdle();
    expect(pair.log.slice(0, 2)).toEqual(['reader:first', 'writer:resumed']);
    expect(pair.log.sort()).toEqual(['reader:first', 'reader:second', 'writer:done', 'writer:resumed']);
    expect(pair.reader).toHaveBeenCalledTimes(2);
  });
});
