import type { OperatorFunction } from 'rxjs';
import type { MessageState, PumpEnv } from '../messageState.js';
import { syncStep } from './stepInternals.js';

/** True for a canonical UUID version 4 string (`xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx`, any case). */
export function isUuidV4(value: string | undefined): value is string {
  if (value === undefined || value.length !== 36) return false;
  // A loop over the characters: this runs for every message, and a regular expression costs more.
  for (let i = 0; i < 36; i++) {
    const c = value.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 0x2d) return false;
    } else if (i === 14) {
      if (c !== 0x34) return false; // version 4
    } else if (i === 19) {
      if (c !== 0x38 && c !== 0x39 && c !== 0x61 && c !== 0x62 && c !== 0x41 && c !== 0x42) return false; // variant 8, 9, a, b
    } else if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46))) {
      return false;
    }
  }
  return true;
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
