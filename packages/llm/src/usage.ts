import type { LlmCompletion } from './router.js';

/** Token counts. */
export interface TokenCounts {
  readonly input: number;
  readonly output: number;
  readonly requests: number;
}

/** Token use and failures of the LLM agents: what `stats().extensions.llm` shows. */
export interface LlmStats {
  readonly byAgent: Readonly<Record<string, TokenCounts>>;
  readonly byBackend: Readonly<Record<string, TokenCounts & { readonly inFlight: number; readonly tokensLastMinute: number }>>;
  /** Threads with token use (the most recent ones, up to the conversation bound). */
  readonly byThread: Readonly<Record<string, TokenCounts>>;
  /** Failed requests (after retries) and failed attempts, by error code. */
  readonly errors: Readonly<Record<string, number>>;
}

/** Request latency buckets, in seconds: a first token in tens of ms, long answers in minutes. */
const BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

type Mutable = { input: number; output: number; requests: number };
const zero = (): Mutable => ({ input: 0, output: 0, requests: 0 });

function add(map: Map<string, Mutable>, key: string, c: LlmCompletion): void {
  let counts = map.get(key);
  if (!counts) map.set(key, (counts = zero()));
  counts.input += c.inputTokens;
  counts.output += c.outputTokens;
  counts.requests++;
}

const label = (value: string) => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/** Counts tokens per agent, thread and backend, latency per backend, errors per code; renders Prometheus text. */
export class UsageMeter {
  private readonly agents = new Map<string, Mutable>();
  private readonly backends = new Map<string, Mutable>();
  private readonly threads = new Map<string, Mutable>();
  /** agent \0 backend → tokens, for the labelled counter. */
  private readonly pairs = new Map<string, Mutable>();
  private readonly errors = new Map<string, number>();
  private readonly latency = new Map<string, { buckets: number[]; sum: number; count: number }>();

  constructor(private readonly maxThreads: number) {}

  completed(c: LlmCompletion, agent: string | undefined, thread: string | undefined): void {
    const who = agent ?? '(direct)';
    add(this.agents, who, c);
    add(this.backends, c.backend, c);
    add(this.pairs, `${who}\u0000${c.backend}`, c);
    if (thread !== undefined) {
      const existing = this.threads.get(thread);
      if (existing) this.threads.delete(thread); // most recent last
      else if (this.threads.size >= this.maxThreads) this.threads.delete(this.threads.keys().next().value!);
      this.threads.set(thread, existing ?? zero());
      add(this.threads, thread, c);
    }
    let histogram = this.latency.get(c.backend);
    if (!histogram) this.latency.set(c.backend, (histogram = { buckets: BUCKETS.map(() => 0), sum: 0, count: 0 }));
    const seconds = c.durationMs / 1000;
    for (let i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]!) histogram.buckets[i]!++;
    histogram.sum += seconds;
    histogram.count++;
  }

  failed(code: string): void {
    this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
  }

  /** Estimated tokens of requests running on a thread (their prompts), until their use is known. */
  private readonly pending = new Map<string, number>();

  /**
   * Count a starting request's estimated prompt toward its thread until it ends (call the returned
   * function then), so that a budget check meanwhile sees it: a tool can answer, and the agent be
   * called again, before the first stream has ended and reported its use.
   */
  reserve(thread: string, tokens: number): () => void {
    this.pending.set(thread, (this.pending.get(thread) ?? 0) + tokens);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.pending.get(thread) ?? 0) - tokens;
      if (left > 0) this.pending.set(thread, left);
      else this.pending.delete(thread);
    };
  }

  /** Input plus output tokens a thread used so far, with the estimates of its running requests. */
  threadTokens(thread: string): number {
    const counts = this.threads.get(thread);
    return (counts ? counts.input + counts.output : 0) + (this.pending.get(thread) ?? 0);
  }

  stats(load: ReadonlyArray<{ backend: string; inFlight: number; tokensLastMinute: number }>): LlmStats {
    const plain = (map: Map<string, Mutable>) => Object.fromEntries([...map].map(([k, v]) => [k, { ...v }]));
    const byBackend: Record<string, TokenCounts & { inFlight: number; tokensLastMinute: number }> = {};
    for (const { backend, inFlight, tokensLastMinute } of load) byBackend[backend] = { ...(this.backends.get(backend) ?? zero()), inFlight, tokensLastMinute };
    return { byAgent: plain(this.agents), byBackend, byThread: plain(this.threads), errors: Object.fromEntries(this.errors) };
  }

  /** Prometheus text exposition (names in docs/llm.md). */
  metrics(load: ReadonlyArray<{ backend: string; inFlight: number }>): string {
    const lines: string[] = [
      '# HELP organism_llm_tokens_total Model tokens used, by agent, backend and kind (input or output).',
      '# TYPE organism_llm_tokens_total counter',
    ];
    for (const [key, counts] of this.pairs) {
      const [agent, backend] = key.split('\u0000') as [string, string];
      for (const kind of ['input', 'output'] as const) {
        lines.push(`organism_llm_tokens_total{agent="${label(agent)}",backend="${label(backend)}",kind="${kind}"} ${counts[kind]}`);
      }
    }
    lines.push('# HELP organism_llm_request_duration_seconds Model request duration, from the request to the end of its stream (retries included), by backend.');
    lines.push('# TYPE organism_llm_request_duration_seconds histogram');
    for (const [backend, h] of this.latency) {
      const b = label(backend);
      BUCKETS.forEach((le, i) => lines.push(`organism_llm_request_duration_seconds_bucket{backend="${b}",le="${le}"} ${h.buckets[i]}`));
      lines.push(`organism_llm_request_duration_seconds_bucket{backend="${b}",le="+Inf"} ${h.count}`);
      lines.push(`organism_llm_request_duration_seconds_sum{backend="${b}"} ${h.sum}`);
      lines.push(`organism_llm_request_duration_seconds_count{backend="${b}"} ${h.count}`);
    }
    lines.push('# HELP organism_llm_errors_total Failed model requests and attempts, by error code.');
    lines.push('# TYPE organism_llm_errors_total counter');
    for (const [code, n] of this.errors) lines.push(`organism_llm_errors_total{code="${label(code)}"} ${n}`);
    lines.push('# HELP organism_llm_requests_in_flight Model requests running now, by backend.');
    lines.push('# TYPE organism_llm_requests_in_flight gauge');
    for (const { backend, inFlight } of load) lines.push(`organism_llm_requests_in_flight{backend="${label(backend)}"} ${inFlight}`);
    return `${lines.join('\n')}\n`;
  }
}
