import { OrganismError } from '@organism/xml';
import type { RoutingTable } from './routingTable.js';

/**
 * The tool prompt of an agent: the generated fragments (description, fields, example) of exactly
 * its peers, addressed by full root tag, plus the reserved forms it may write.
 */
export function toolPromptFor(agentName: string, table: RoutingTable): string {
  const agent = table.listeners.get(agentName.toLowerCase());
  if (!agent) throw new OrganismError('ORG_ERR_ROUTE_UNKNOWN', `no listener named "${agentName}"`);
  const sections: string[] = [];
  for (const peerName of agent.peers) {
    const peer = table.listeners.get(peerName.toLowerCase());
    if (!peer) continue;
    for (const accepted of peer.types.values()) {
      sections.push(`## ${peer.name}: ${peer.description}\n${accepted.contract.prompt(accepted.rootTag)}`);
    }
  }
  const tools = sections.length > 0 ? sections.join('\n\n') : '(no tools: this agent declares no peers)';
  return [
    `You are "${agent.name}". Reply with XML payloads only; text between payloads is ignored.`,
    'To call a tool, write its payload with the root tag shown. Several payloads call several tools in parallel.',
    'To answer whoever called you, wrap your answer payload in <return>…</return>. To end the conversation, write <halt/>.',
    '',
    tools,
  ].join('\n');
}
