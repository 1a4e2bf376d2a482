import type { LlmMessage } from './router.js';

/** Estimated tokens of a text (4 characters each): what `max_history_tokens` counts. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

interface Conversation {
  readonly turns: Array<{ readonly role: LlmMessage['role']; content: string }>;
  tokens: number;
}

/**
 * Conversations per thread and agent, each bounded by `maxTokens` (oldest turns go first, the
 * newest always stays), and at most `maxConversations` of them (the least recently used goes).
 */
export class Conversations {
  private readonly byKey = new Map<string, Conversation>();

  constructor(
    private readonly maxTokens: number,
    private readonly maxConversations: number,
  ) {}

  get size(): number {
    return this.byKey.size;
  }

  /** The turns so far (a copy), most recent last. */
  history(thread: string, agent: string): LlmMessage[] {
    const conversation = this.touch(thread, agent, false);
    return conversation ? conversation.turns.map((t) => ({ role: t.role, content: t.content })) : [];
  }

  append(thread: string, agent: string, turn: LlmMessage): void {
    const conversation = this.touch(thread, agent, true)!;
    conversation.turns.push(turn);
    conversation.tokens += estimateTokens(turn.content);
    this.trim(conversation);
  }

  /**
   * Start an assistant turn that grows as the model writes: a call that starts meanwhile on the
   * same thread (a tool answered while the model was still writing) sees the text so far, in order.
   */
  streaming(thread: string, agent: string): { add(text: string): void; end(): void } {
    const conversation = this.touch(thread, agent, true)!;
    const turn = { role: 'assistant' as const, content: '' };
    conversation.turns.push(turn);
    return {
      add: (text) => {
        turn.content += text;
      },
      end: () => {
        const index = conversation.turns.indexOf(turn);
        if (index >= 0 && turn.content === '') conversation.turns.splice(index, 1);
        if (index >= 0) conversation.tokens += estimateTokens(turn.content);
        this.trim(conversation);
      },
    };
  }

  private trim(conversation: Conversation): void {
    while (conversation.tokens > this.maxTokens && conversation.turns.length > 1) {
      conversation.tokens -= estimateTokens(conversation.turns.shift()!.content);
    }
  }

  private touch(thread: string, agent: string, create: boolean): Conversation | undefined {
    const key = `${thread}\u0000${agent}`;
    let conversation = this.byKey.get(key);
    if (conversation) {
      // Map order is insertion order: re-insert to mark it most recently used.
      this.byKey.delete(key);
      this.byKey.set(key, conversation);
    } else if (create) {
      conversation = { turns: [], tokens: 0 };
      this.byKey.set(key, conversation);
      if (this.byKey.size > this.maxConversations) this.byKey.delete(this.byKey.keys().next().value!);
    }
    return conversation;
  }
}
