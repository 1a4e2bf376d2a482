import type { Organism } from '@organism/core';
import { OrganismError } from '@organism/xml';

/**
 * The system prompt of a built-in LLM agent: the organism's tool prompt for it (its peers'
 * generated fragments and the reserved forms), its own description and payload contract, and the
 * conventions of the runtime. The first line is always `You are "<name>".`.
 */
export function agentSystemPrompt(org: Organism, agent: string): string {
  const listener = org.routing.listeners.get(agent.toLowerCase());
  if (!listener) throw new OrganismError('ORG_ERR_INTERNAL', `no listener named "${agent}" in the organism the LLM plugin is attached to`);
  const accepts = [...listener.types.values()].map((t) => t.contract.prompt(t.rootTag)).join('\n\n');
  return [
    org.toolPrompt(listener.name),
    '',
    '# Your role',
    listener.description,
    '',
    '# What you receive',
    'Each message you get is a user turn: "From <sender>:" and then one XML payload of one of these types:',
    '',
    accepts,
    '',
    '# Conventions',
    '- You are one listener among several; you reach a tool only by writing its payload with the root tag shown above. Its result comes back to you later as a new message.',
    '- Write nothing but XML payloads (no <message> envelope, no code fences); several payloads call several tools at once.',
    '- To answer whoever asked you, wrap your answer payload in <return>…</return>: it goes back to your caller, whoever that is.',
    '- A <huh> from "organism" means your previous output could not be delivered: read its <code> and <message>, fix the payload and write it again. Do not repeat the same mistake.',
    '- To stop the conversation entirely, write <halt/>.',
  ].join('\n');
}
