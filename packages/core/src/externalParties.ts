import { OrganismError } from '@organism/xml';
import { SYSTEM_SENDER } from './huh.js';
import type { RoutingTable } from './routingTable.js';

/**
 * The names outside the organism that its listeners may address: the ones declared up front
 * (`externals:` in organism.yaml) and the ones connected now (a server's client identities).
 * Together with each thread's originating sender they are the only egress destinations; any
 * other unknown `<to>` is ORG_ERR_ROUTE_UNKNOWN. Names compare case-insensitively.
 */
export class ExternalParties {
  private readonly declared = new Set<string>();
  /** Connected names with how many connections hold each. */
  private readonly connected = new Map<string, number>();

  constructor(names: readonly string[], table: RoutingTable) {
    for (const name of names) this.declared.add(checkedName(name, table, 'externals'));
  }

  /** Whether `name` is a declared or connected external party. */
  has(name: string): boolean {
    const key = name.toLowerCase();
    return this.declared.has(key) || this.connected.has(key);
  }

  /** Count one connection of `name`; the returned function ends it (idempotent). */
  connect(name: string, table: RoutingTable): () => void {
    const key = checkedName(name, table, 'addExternal');
    this.connected.set(key, (this.connected.get(key) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const count = (this.connected.get(key) ?? 1) - 1;
      if (count > 0) this.connected.set(key, count);
      else this.connected.delete(key);
    };
  }
}

function checkedName(name: string, table: RoutingTable, where: string): string {
  if (typeof name !== 'string' || name.trim() === '' || name !== name.trim()) {
    throw new OrganismError('ORG_ERR_CONFIG', `${where}: an external party needs a non-empty name without surrounding spaces, got ${JSON.stringify(name)}`);
  }
  const key = name.toLowerCase();
  if (key === SYSTEM_SENDER) throw new OrganismError('ORG_ERR_CONFIG', `${where}: "${name}" is the organism's own sender name, not an external party`);
  if (table.listeners.has(key)) throw new OrganismError('ORG_ERR_CONFIG', `${where}: "${name}" is a listener, not an external party`);
  return key;
}
