// libxml2-wasm hands JavaScript context (error lists, output handlers) to wasm callbacks through
// `ContextStorage`: a Map keyed by an ever-growing integer, with one set and one delete per parse,
// validation and c14n. On a hot path those deletes keep shrinking and regrowing the Map's table.
// Here every ContextStorage keeps its values in an array of reusable slots instead. The contract is
// unchanged: `allocate` returns a positive index that is unique while it is allocated, `get` returns
// its value, `free` releases it. A test checks that the tuning is in place (see libxml2Tuning.test).
//
// A second tuning concerns V8 itself; see `avoidDefaultConstructorRecompiles` below.
import { setFlagsFromString } from 'node:v8';
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

/**
 * What became of the V8 tuning in this process: `applied`; `off` (`ORGANISM_V8_TUNING=off`); or
 * `not needed` (a V8 other than 11.x or 12.x, where the flag is not known to exist).
 */
export let defaultConstructorTuning: 'applied' | 'off' | 'not needed' = 'not needed';

/**
 * libxml2-wasm's node and document classes (XmlElement, XmlText, XmlDocument, …) are derived
 * classes whose constructors are renamed by the decorator helpers, which leaves each constructor
 * with dictionary-mode properties. V8 11 (Node 20) compiles `super()` in a default derived
 * constructor to a walk that skips default parent constructors (`--omit-default-ctors`). TurboFan code for
 * that walk depends on the constructors' maps being stable, and on dictionary-mode constructors
 * that dependency fails when the code is installed: the compile is thrown away, the function is
 * marked hot again, and the cycle repeats for as long as the process creates wrappers. With
 * `--trace-opt`, a loop of `XmlDocument.fromString(...).root` shows 60–230 aborted compiles per
 * 20,000 documents (each up to 40 ms of a background thread, on a 2-core machine the same cores the
 * pump and the XML worker need); a plain derived class whose `name` was redefined shows it too.
 *
 * Turning the omission off makes every such `super()` an ordinary constructor call: the aborts stop
 * (0 in the same loop) and that loop costs about 30 % less CPU. The flag is read when a
 * constructor's bytecode is generated, which for these classes is the first `new` (not their
 * definition), so setting it as this module loads is early enough even when libxml2-wasm was
 * imported first. It only changes how default constructors are called, for all code in the
 * process; `ORGANISM_V8_TUNING=off` leaves V8's flags alone. V8 12 (Node 22) has the same flag
 * and gets it too, unmeasured here. A test spawns Node with
 * `--trace-opt` and counts the aborts (see libxml2Tuning.test).
 */
function avoidDefaultConstructorRecompiles(): void {
  if (process.env['ORGANISM_V8_TUNING'] === 'off') {
    defaultConstructorTuning = 'off';
    return;
  }
  const major = Number(process.versions.v8.split('.')[0]);
  // Elsewhere the flag may not exist, and V8 prints an error for an unknown flag.
  if (major !== 11 && major !== 12) return;
  setFlagsFromString('--no-omit-default-ctors');
  defaultConstructorTuning = 'applied';
}

avoidDefaultConstructorRecompiles();
