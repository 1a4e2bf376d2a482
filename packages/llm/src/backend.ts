import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { LanguageModelV3 } from '@ai-sdk/provider';
import type { BackendSpec } from './backendSpec.js';
import { replayModel } from './replayModel.js';

/** A backend's model factory: one provider instance per backend, one model object per model id. */
export function modelFactory(spec: BackendSpec): (modelId: string) => LanguageModelV3 {
  const cache = new Map<string, LanguageModelV3>();
  let make: (modelId: string) => LanguageModelV3;
  switch (spec.provider) {
    case 'openai': {
      const provider = createOpenAI({ ...(spec.baseUrl ? { baseURL: spec.baseUrl } : {}), apiKey: spec.apiKey ?? 'none', ...(spec.fetch ? { fetch: spec.fetch } : {}) });
      // chat completions (the wire format every OpenAI-compatible server speaks), not the responses API
      make = (id) => provider.chat(id);
      break;
    }
    case 'anthropic': {
      const provider = createAnthropic({ ...(spec.baseUrl ? { baseURL: spec.baseUrl } : {}), apiKey: spec.apiKey ?? 'none', ...(spec.fetch ? { fetch: spec.fetch } : {}) });
      make = (id) => provider(id);
      break;
    }
    case 'openai-compatible': {
      const provider = createOpenAICompatible({
        name: spec.name,
        baseURL: spec.baseUrl ?? 'http://127.0.0.1:11434/v1',
        ...(spec.apiKey ? { apiKey: spec.apiKey } : {}),
        includeUsage: true,
        ...(spec.fetch ? { fetch: spec.fetch } : {}),
      });
      make = (id) => provider.chatModel(id);
      break;
    }
    case 'replay': {
      const transcript = spec.transcript ?? { replies: {} };
      make = (id) => replayModel(transcript, id);
      break;
    }
  }
  return (modelId) => {
    let model = cache.get(modelId);
    if (!model) cache.set(modelId, (model = make(modelId)));
    return model;
  };
}
