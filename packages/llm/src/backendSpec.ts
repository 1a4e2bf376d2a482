import type { Provider } from './llmConfig.js';
import type { Transcript } from './transcript.js';

/** One configured backend, resolved: its key read from the environment (never logged, never in an error). */
export interface BackendSpec {
  readonly name: string;
  readonly provider: Provider;
  readonly baseUrl?: string;
  /** The key's value; `undefined` for keyless local servers and replay. */
  readonly apiKey?: string;
  readonly priority: number;
  readonly maxConcurrent: number;
  readonly rateLimitTpm?: number;
  readonly timeoutMs: number;
  /** `replay` only. */
  readonly transcript?: Transcript;
  /** The fetch the provider uses (a proxy, instrumentation); default the global one. */
  readonly fetch?: typeof globalThis.fetch;
}

