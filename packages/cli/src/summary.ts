import type { Organism } from '@organism/core';

/** The startup summary: the organism, each listener and its root tags. */
export function summary(org: Organism): string {
  const lines = [`organism "${org.name}" running with ${org.routing.listeners.size} listener${org.routing.listeners.size === 1 ? '' : 's'}:`];
  for (const listener of org.routing.listeners.values()) {
    const tags = [...listener.types.values()].map((t) => t.rootTag).join(', ');
    lines.push(`  ${listener.name}${listener.agent ? ' (agent)' : ''}: ${tags}`);
  }
  return lines.join('\n');
}
