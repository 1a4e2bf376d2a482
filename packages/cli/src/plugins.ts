import type { OrganismPlugin } from '@organism/core';
import { llmPlugin } from '@organism/llm';

/** The plugins every command loads organism.yaml with: the `llm:` section (built-in LLM agents). */
export function cliPlugins(): OrganismPlugin[] {
  return [llmPlugin()];
}
