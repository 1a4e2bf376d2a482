import { dirname, resolve } from 'node:path';
import type { Organism, OrganismExtension, OrganismPlugin, PluginConfigInput, PluginListenerParts } from '@organism/core';
import { OrganismError } from '@organism/xml';
import { createAgentHandler } from './agentHandler.js';
import type { BackendSpec } from './backendSpec.js';
import { Conversations } from './conversation.js';
import { withLlm } from './llmClient.js';
import { listenerLlmSchema, llmSectionSchema, type ListenerLlm, type LlmSection } from './llmConfig.js';
import { readTranscript } from './transcript.js';
import { createLlmRouter, type LlmRouter } from './router.js';
import { UsageMeter, type LlmStats } from './usage.js';

/** Options of {@link llmPlugin}. */
export interface LlmPluginOptions {
  /** Where `api_key_env` names are looked up. Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The fetch every backend uses (a proxy, instrumentation). Default the global one. */
  readonly fetch?: typeof globalThis.fetch;
}

/** The run-time side of the `llm:` section: the router, for code that wants it directly. */
export interface LlmExtension extends OrganismExtension {
  readonly name: 'llm';
  readonly router: LlmRouter;
  stats(): LlmStats;
}

function backendSpecs(input: PluginConfigInput, section: LlmSection, env: Readonly<Record<string, string | undefined>>, fetch?: typeof globalThis.fetch): BackendSpec[] {
  const seen = new Map<string, number>();
  const specs: BackendSpec[] = [];
  for (const [index, b] of section.backends.entries()) {
    const at = (key: string) => ['llm', 'backends', index, key];
    let name = b.name;
    if (name === undefined) {
      const n = (seen.get(b.provider) ?? 0) + 1;
      seen.set(b.provider, n);
      name = n === 1 ? b.provider : `${b.provider}-${n}`;
    }
    if (specs.some((s) => s.name === name)) throw input.error(at('name'), `backend name "${name}" is used twice; give each backend its own name:`);
    let baseUrl = b.base_url;
    if (b.base_url_env !== undefined) {
      const value = env[b.base_url_env];
      if (value !== undefined && value !== '') {
        if (!/^https?:\/\/\S+$/.test(value)) throw input.error(at('base_url_env'), `environment variable ${b.base_url_env} holds no http(s) URL`);
        baseUrl = value;
      } else if (baseUrl === undefined) {
        throw input.error(at('base_url_env'), `environment variable ${b.base_url_env} is not set: export it with the base URL of backend "${name}" (e.g. http://127.0.0.1:11434/v1 for Ollama)`);
      }
    }
    let apiKey: string | undefined;
    if (b.api_key_env !== undefined) {
      apiKey = env[b.api_key_env];
      if (apiKey === undefined || apiKey === '') {
        throw input.error(at('api_key_env'), `environment variable ${b.api_key_env} is not set: export it with the key of backend "${name}" (the file names the variable, never the key)`);
      }
    } else if (b.provider === 'openai' || b.provider === 'anthropic') {
      throw input.error(['llm', 'backends', index], `required key api_key_env is missing (expected the name of the environment variable holding the ${b.provider} key)`);
    }
    let transcript;
    if (b.provider === 'replay') {
      if (b.transcript === undefined) throw input.error(['llm', 'backends', index], 'required key transcript is missing (expected the path of a recorded transcript, relative to the file)');
      try {
        transcript = readTranscript(resolve(dirname(resolve(input.file)), b.transcript));
      } catch (error) {
        throw input.error(at('transcript'), (error as Error).message, error);
      }
    } else if (b.transcript !== undefined) {
      throw input.error(at('transcript'), 'transcript is for provider: replay only');
    }
    specs.push({
      name,
      provider: b.provider,
      ...(baseUrl !== undefined ? { baseUrl } : {}),
      ...(apiKey !== undefined ? { apiKey } : {}),
      priority: b.priority,
      maxConcurrent: b.max_concurrent,
      ...(b.rate_limit_tpm !== undefined ? { rateLimitTpm: b.rate_limit_tpm } : {}),
      timeoutMs: b.timeout_ms,
      ...(transcript ? { transcript } : {}),
      ...(fetch ? { fetch } : {}),
    });
  }
  return specs;
}

/**
 * The `llm:` section and the listeners' `llm:` key (docs/llm.md): built-in LLM agents, and
 * `context.llm` for custom handlers. The CLI registers it; pass it yourself when you load a file
 * in code.
 *
 * @example
 * const org = await loadOrganism('organism.yaml', {}, { plugins: [llmPlugin()] });
 * console.log(org.stats().extensions?.llm); // tokens by agent, backend and thread
 */
export function llmPlugin(options: LlmPluginOptions = {}): OrganismPlugin {
  const env = options.env ?? process.env;
  return {
    name: 'llm',
    section: 'llm',
    listenerKeys: ['llm'],
    configure(input) {
      const settings = new Map<number, ListenerLlm>();
      for (const entry of input.listeners) {
        if (entry.keys.llm === undefined) continue;
        settings.set(entry.index, input.parse(listenerLlmSchema, entry.keys.llm, ['listeners', entry.index, 'llm']));
      }
      if (input.section === undefined) {
        const first = settings.keys().next();
        if (!first.done) throw input.error(['listeners', first.value, 'llm'], 'needs an llm: section at the top of the file with at least one backend (see docs/llm.md)');
        return {};
      }
      const section = input.parse(llmSectionSchema, input.section, ['llm']);
      const backends = backendSpecs(input, section, env, options.fetch);
      for (const [index, s] of settings) {
        if (s.backend !== undefined && !backends.some((b) => b.name === s.backend)) {
          throw input.error(['listeners', index, 'llm', 'backend'], `no backend is named "${s.backend}"; the backends are ${backends.map((b) => `"${b.name}"`).join(', ')}`);
        }
      }
      const usage = new UsageMeter(section.max_conversations);
      const router = createLlmRouter({
        strategy: section.strategy,
        retries: section.retries,
        retryBaseDelayMs: section.retry_base_delay,
        retryMaxDelayMs: section.retry_max_delay,
        backends,
        events: {
          completed: (c, request) => usage.completed(c, request.agent, request.thread),
          failed: (error, _backend, _request, final) => {
            if (final) usage.failed(error.code);
          },
        },
      });
      const conversations = new Conversations(section.max_history_tokens, section.max_conversations);
      let org: Organism | undefined;
      const organism = (): Organism => {
        if (!org) throw new OrganismError('ORG_ERR_INTERNAL', 'the LLM plugin was not attached to an organism: pass the loaded options to createOrganism');
        return org;
      };
      const extension: LlmExtension = {
        name: 'llm',
        router,
        attach: (o) => {
          org = o;
        },
        stats: () => usage.stats(router.load()),
        metrics: () => usage.metrics(router.load()),
        close: () => router.close(),
      };
      return {
        extension,
        listener(entry): PluginListenerParts | undefined {
          const own = settings.get(entry.index);
          if (entry.handler) return { handler: withLlm(entry.handler, router, entry.name, own) };
          if (!own) return undefined;
          if (!entry.agent) throw input.error(['listeners', entry.index], 'the built-in LLM handler is for agents: set agent: true, or name a handler: that uses context.llm');
          return createAgentHandler({
            name: entry.name,
            settings: own,
            router,
            conversations,
            usage,
            ...(section.max_tokens_per_thread !== undefined ? { maxTokensPerThread: section.max_tokens_per_thread } : {}),
            maxCorrections: section.max_corrections,
            organism,
          });
        },
      };
    },
  };
}
