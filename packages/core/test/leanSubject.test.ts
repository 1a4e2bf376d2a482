import { describe, expect, it } from '@jest/globals';
import { ObjectUnsubscribedError, Subject, type Subscription } from 'rxjs';
import { LeanSubject } from '../src/leanSubject.js';

/**
 * Runs the same script against a subject and returns what happened, so LeanSubject can be
 * compared with rxjs's own Subject step by step.
 */
function script(subject: Subject<number>): string[] {
  const log: string[] = [];
  const subs: Subscription[] = [];
  subs.push(
    subject.subscribe((v) => {
      log.push(`a${v}`);
      // Subscribing during a next: the newcomer sees the next value, not this one.
      if (v === 1) subs.push(subject.subscribe((w) => log.push(`c${w}`)));
      // Unsubscribing another during a next: it is still walked, but a closed subscriber drops the value.
      if (v === 2) subs[1]!.unsubscribe();
    }),
  );
  subs.push(subject.subscribe((v) => log.push(`b${v}`)));
  for (const v of [1, 2, 3]) subject.next(v);
  subject.complete();
  subject.next(4); // after complete: ignored
  log.push(`observed ${subject.observed}`);
  return log;
}

describe('LeanSubject', () => {
  it('delivers exactly as rxjs Subject does, including (un)subscribing during a next', () => {
    const lean = script(new LeanSubject<number>());
    expect(lean).toEqual(script(new Subject<number>()));
    expect(lean).toEqual(['a1', 'b1', 'a2', 'c2', 'a3', 'c3', 'observed false']);
  });

  it('throws ObjectUnsubscribedError once closed, like Subject', () => {
    for (const subject of [new LeanSubject<number>(), new Subject<number>()]) {
      subject.unsubscribe();
      expect(() => subject.next(1)).toThrow(ObjectUnsubscribedError);
    }
  });

  it('lets an observer that throws stop the walk and propagate, like Subject', () => {
    const outcome = (subject: Subject<number>) => {
      const seen: string[] = [];
      subject.subscribe({ next: () => seen.push('first') });
      // A bare Observer is not wrapped in a SafeSubscriber-style error reporter by Subject itself.
      (subject as unknown as { observers: Array<{ next(v: number): void }> }).observers.push({
        next: () => {
          throw new Error('boom');
        },
      });
      (subject as unknown as { currentObservers: unknown }).currentObservers = null;
      subject.subscribe({ next: () => seen.push('third') });
      let thrown: unknown;
      try {
        subject.next(1);
      } catch (error) {
        thrown = error;
      }
      return { seen, thrown: (thrown as Error | undefined)?.message };
    };
    expect(outcome(new LeanSubject<number>())).toEqual(outcome(new Subject<number>()));
    expect(outcome(new LeanSubject<number>())).toEqual({ seen: ['first'], thrown: 'boom' });
  });

  it('keeps no reference to values and picks up observers after the last one left', () => {
    const subject = new LeanSubject<number>();
    const first = subject.subscribe(() => undefined);
    subject.next(1);
    first.unsubscribe();
    const got: number[] = [];
    subject.subscribe((v) => got.push(v));
    subject.next(2);
    expect(got).toEqual([2]);
  });
});
