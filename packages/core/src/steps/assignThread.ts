import type { OperatorFunction } from 'rxjs';
import type { MessageState, PumpEnv } from '../messageState';
import { syncStep } from './stepInternals';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** True for a canonical UUID version 4 string. */
export function isUuidV4(value: string | undefined): value is string {
  return value !== undefined && UUID_V4.test(value);
}

/** Step 5: keep a valid UUID v4 thread; otherwise start a new root thread. */
export function assignThread(env: Pick<PumpEnv, 'newThreadId'>): OperatorFunction<MessageState, MessageState> {
  return syncStep('assignThread', (state) => {
    if (isUuidV4(state.thread)) {
      state.thread = state.thread.toLowerCase();
    } else {
      state.thread = env.newThreadId();
      state.newThread = true;
    }
  });
}
