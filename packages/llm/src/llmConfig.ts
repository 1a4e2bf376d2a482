import { z } from 'zod';

/** The providers a backend can speak. `replay` plays a recorded transcript back (offline, tests, demos). */
export const PROVIDERS = ['openai', 'anthropic', 'openai-compatible', 'replay'] as const;
export type Provider = (typeof PROVIDERS)[number];

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected the name of an environment variable (letters, digits, _)');

const backendSchema = z
  .object({
    /** How listeners (`llm.backend`) and metrics name it. Default: the provider, with `-2`, `-3`… when repeated. */
    name: z.string().min(1).optional(),
    provider: z.enum(PROVIDERS),
    base_url: z.url({ protocol: /^https?$/ }).optional(),
    /** The name of an environment variable holding the base URL (wins over base_url when set). */
    base_url_env: envName.optional(),
    api_key_env: envName.optional(),
    /** Lower is tried first (failover) and preferred on ties (least-loaded). */
    priority: z.number().int().min(0).default(0),
    max_concurrent: z.number().int().positive().default(8),
    rate_limit_tpm: z.number().int().positive().optional(),
    /** Longest silence of a stream (before its first text and between pieces), in ms. */
    timeout_ms: z.number().int().positive().default(60_000),
    /** `replay` only: the recorded transcript (JSON), relative to organism.yaml. */
    transcript: z.string().min(1).optional(),
  })
  .strict();

/** The `llm:` section of organism.yaml (docs/llm.md). */
export const llmSectionSchema = z
  .object({
    strategy: z.enum(['failover', 'round-robin', 'least-loaded']).default('failover'),
    /** Further attempts after the first, across backends. */
    retries: z.number().int().min(0).default(2),
    /** First backoff before retrying a backend, in ms (doubles per attempt, with jitter). */
    retry_base_delay: z.number().int().min(0).default(500),
    /** Longest backoff or honoured Retry-After, in ms. */
    retry_max_delay: z.number().int().positive().default(30_000),
    /** Conversation kept per thread and agent, in estimated tokens (4 characters each). */
    max_history_tokens: z.number().int().positive().default(8_000),
    /** Model tokens (input + output) a thread may use before it is ended. */
    max_tokens_per_thread: z.number().int().positive().optional(),
    /** Further model requests one agent call may make to correct output the organism answered with a <huh>. */
    max_corrections: z.number().int().min(0).default(2),
    /** Conversations kept at once (thread × agent); the least recently used goes first. */
    max_conversations: z.number().int().positive().default(10_000),
    backends: z.array(backendSchema).min(1),
  })
  .strict();

/** A listener's `llm:` key. */
export const listenerLlmSchema = z
  .object({
    model: z.string().min(1),
    temperature: z.number().min(0).max(2).optional(),
    max_tokens: z.number().int().positive().optional(),
    /** Only this backend (by name); default: any, by the strategy. */
    backend: z.string().min(1).optional(),
  })
  .strict();

export type LlmSection = z.output<typeof llmSectionSchema>;
export type BackendSection = LlmSection['backends'][number];
export type ListenerLlm = z.output<typeof listenerLlmSchema>;
