import type { LanguageModelV3, LanguageModelV3CallOptions, LanguageModelV3StreamPart } from '@ai-sdk/provider';
import type { Transcript } from './transcript.js';

const AGENT = /^You are "([^"]+)"/;

/**
 * A language model that plays a transcript back: the n-th call for an agent gets the agent's
 * n-th reply (the last one again once they run out), streamed piece by piece.
 */
export function replayModel(transcript: Transcript, modelId: string): LanguageModelV3 {
  const served = new Map<string, number>();
  const next = (options: LanguageModelV3CallOptions): readonly string[] => {
    const system = options.prompt.find((m) => m.role === 'system');
    const agent = (system && typeof system.content === 'string' ? AGENT.exec(system.content)?.[1] : undefined) ?? '*';
    const list = transcript.replies[agent] ?? transcript.replies['*'] ?? [];
    const n = served.get(agent) ?? 0;
    served.set(agent, n + 1);
    return list[Math.min(n, list.length - 1)] ?? [];
  };
  const promptChars = (options: LanguageModelV3CallOptions) => JSON.stringify(options.prompt).length;
  return {
    specificationVersion: 'v3',
    provider: 'replay',
    modelId,
    supportedUrls: {},
    async doGenerate(options) {
      const text = next(options).join('');
      return {
        content: [{ type: 'text', text }],
        finishReason: { unified: 'stop', raw: 'stop' },
        usage: usage(Math.ceil(promptChars(options) / 4), Math.ceil(text.length / 4)),
        warnings: [],
      };
    },
    async doStream(options) {
      const pieces = next(options);
      const input = Math.ceil(promptChars(options) / 4);
      const output = Math.ceil(pieces.join('').length / 4);
      const stream = new ReadableStream<LanguageModelV3StreamPart>({
        start(controller) {
          controller.enqueue({ type: 'stream-start', warnings: [] });
          controller.enqueue({ type: 'text-start', id: 't' });
          for (const delta of pieces) controller.enqueue({ type: 'text-delta', id: 't', delta });
          controller.enqueue({ type: 'text-end', id: 't' });
          controller.enqueue({ type: 'finish', finishReason: { unified: 'stop', raw: 'stop' }, usage: usage(input, output) });
          controller.close();
        },
      });
      return { stream };
    },
  };
}

function usage(input: number, output: number) {
  return {
    inputTokens: { total: input, noCache: input, cacheRead: undefined, cacheWrite: undefined },
    outputTokens: { total: output, text: output, reasoning: undefined },
  };
}
