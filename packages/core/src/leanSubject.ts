import { ObjectUnsubscribedError, Subject, type Observer } from 'rxjs';

/** The fields of rxjs's Subject that `next` reads (rxjs 7). */
interface SubjectInternals<T> {
  currentObservers: Observer<T>[] | null;
  observers: Observer<T>[];
}

/**
 * A Subject whose `next` allocates nothing. rxjs 7's CommonJS build, which Node loads, runs
 * each `next` inside a callback and walks its observers with an ES5 iterator helper: a closure,
 * an iterator and a result object per observer, per value. The organism pushes every message
 * through a few Subjects, so that was about 1 KB of garbage per round trip. This `next` does the
 * same walk with an index: the same snapshot of observers (subscribing or unsubscribing during a
 * `next` takes effect from the next value), the same error when closed, and an observer that
 * throws stops the walk and the error propagates, as in rxjs. rxjs's
 * `useDeprecatedSynchronousErrorHandling` is not supported (the organism never turns it on).
 */
export class LeanSubject<T> extends Subject<T> {
  override next(value: T): void {
    if (this.closed) throw new ObjectUnsubscribedError();
    if (this.isStopped) return;
    const internals = this as unknown as SubjectInternals<T>;
    const observers = (internals.currentObservers ??= Array.from(internals.observers));
    for (let i = 0; i < observers.length; i++) observers[i]!.next(value);
  }
}
