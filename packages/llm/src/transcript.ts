import { readFileSync } from 'node:fs';
import { OrganismError } from '@organism/xml';

/**
 * A recorded transcript: for each agent (or `*`), the replies in order. A reply is the model's
 * text, written as the pieces it streamed in. Matching is by the agent's name, which the replay
 * backend reads from the system prompt's first line (`You are "researcher".`).
 *
 * ```json
 * { "replies": { "researcher": [["<calculator.add.addpayload><a>2</a>", "<b>3</b></calculator.add.addpayload>"]] } }
 * ```
 */
export interface Transcript {
  readonly replies: Readonly<Record<string, ReadonlyArray<readonly string[]>>>;
}

/** Read and check a transcript file (a config error when it is not one). */
export function readTranscript(path: string): Transcript {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new OrganismError('ORG_ERR_CONFIG', `replay transcript ${path} cannot be read as JSON (${(error as Error).message})`, { cause: error });
  }
  const replies = (data as { replies?: unknown })?.replies;
  const valid =
    replies !== null &&
    typeof replies === 'object' &&
    Object.values(replies as object).every((list) => Array.isArray(list) && list.every((r) => Array.isArray(r) && r.every((p) => typeof p === 'string')));
  if (!valid) throw new OrganismError('ORG_ERR_CONFIG', `replay transcript ${path}: expected { "replies": { "<agent>": [["piece", …], …] } }`);
  return data as Transcript;
}

