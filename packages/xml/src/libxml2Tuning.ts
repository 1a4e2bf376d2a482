// libxml2-wasm hands JavaScript context (error lists, output handlers) to wasm callbacks through
// `ContextStorage`: a Map keyed by an ever-growing integer, with one set and one delete per parse,
// validation and c14n. On a hot path those deletes keep shrinking and regrowing the Map's table.
// Here every ContextStorage keeps its values in an array of reusable slots instead. The contract is
// unchanged: `allocate` returns a positive index that is unique while it is allocated, `get` returns
// its value, `free` releases it. A test checks that the tuning is in place (see libxml2Tuning.test).
import { ContextStorage } from 'libxml2-wasm/lib/utils.mjs';

/** A freed slot (distinct from a stored `undefined`). */
const FREED: unique symbol = Symbol('freed');

interface SlotStorage {
  slots?: unknown[];
  freeSlots?: number[];
}

/** True when this process's libxml2-wasm ContextStorage uses reusable slots. */
export let contextStorageTuned = false;

function tuneContextStorage(): void {
  const proto = (ContextStorage as unknown as { prototype: Record<string, unknown> }).prototype;
  // Only a ContextStorage shaped as in the version this was written for (0.7.x) is tuned; any other
  // keeps its own methods.
  if (typeof proto.allocate !== 'function' || typeof proto.free !== 'function' || typeof proto.get !== 'function') return;
  Object.defineProperties(proto, {
    allocate: {
      value: function allocate(this: SlotStorage, value: unknown): number {
        const slots = (this.slots ??= [undefined]);
        const free = (this.freeSlots ??= []);
        const index = free.length > 0 ? free.pop()! : slots.length;
        slots[index] = value;
        return index;
      },
    },
    free: {
      value: function free(this: SlotStorage, index: number): void {
        const slots = this.slots;
        if (slots === undefined || !(index > 0 && index < slots.length) || slots[index] === FREED) return;
        slots[index] = FREED;
        this.freeSlots!.push(index);
      },
    },
    get: {
      value: function get(this: SlotStorage, index: number): unknown {
        const value = this.slots?.[index];
        return value === FREED ? undefined : value;
      },
    },
  });
  contextStorageTuned = true;
}

tuneContextStorage();
