import { OrganismError } from '@organism/xml';
import type { AcceptedType, Listener } from './listener.js';

/** One resolved recipient of a payload. */
export interface Target {
  readonly listener: Listener;
  readonly accepted: AcceptedType;
  /** The payload arrived under the full root tag (validated against that element name). */
  readonly byRootTag: boolean;
}

export type Route =
  | { readonly kind: 'deliver'; readonly targets: readonly Target[] }
  | { readonly kind: 'egress'; readonly to: string }
  | { readonly kind: 'huh'; readonly to: string; readonly listener?: Listener }
  | { readonly kind: 'error'; readonly error: OrganismError };

/**
 * The routing table: an immutable value built once from the registered listeners, so it can be
 * swapped atomically (hot reload) without locking the pump.
 */
export interface RoutingTable {
  readonly listeners: ReadonlyMap<string, Listener>;
  /**
   * Resolve an incoming payload tag (as written) with an optional `<to>`. `<huh>` is routed only
   * when `system` is true (the organism wrote it); from anyone else it is unknown.
   */
  route(tag: string, to: string | undefined, system?: boolean): Route;
  /**
   * The `<to>` the pump writes on a handler's response: `undefined` when the tag routes inside the
   * organism on its own (full root tag, or a bare tag with a broadcast set or a single acceptor),
   * otherwise the caller (a reply).
   */
  responseTo(tag: string, caller: string): string | undefined;
}

export function createRoutingTable(listeners: readonly Listener[]): RoutingTable {
  const byName = new Map<string, Listener>();
  const byRootTag = new Map<string, Target>();
  // Bare-tag acceptors; agents are reached by full root tag or <to> only.
  const byBareTag = new Map<string, Target[]>();
  for (const listener of listeners) {
    byName.set(listener.key, listener);
    for (const accepted of listener.types.values()) {
      byRootTag.set(accepted.rootTag, { listener, accepted, byRootTag: true });
      if (!listener.agent) {
        const list = byBareTag.get(accepted.tag) ?? [];
        list.push({ listener, accepted, byRootTag: false });
        byBareTag.set(accepted.tag, list);
      }
    }
  }

  const unknown = (tag: string, to?: string) =>
    new OrganismError(
      'ORG_ERR_ROUTE_UNKNOWN',
      to === undefined
        ? `no listener accepts <${tag}>: use a listener's full root tag, or add <to>`
        : `listener "${to}" does not accept <${tag}>`,
    );

  // Resolved once per tag at build time: the hot path allocates nothing (no Error objects).
  const bareRoutes = new Map<string, readonly Target[] | 'ambiguous'>();
  for (const [tag, acceptors] of byBareTag) {
    const broadcast = acceptors.filter((t) => t.listener.broadcast);
    bareRoutes.set(tag, broadcast.length > 0 ? broadcast : acceptors.length === 1 ? acceptors : 'ambiguous');
  }
  const bare = (tag: string): readonly Target[] | OrganismError => {
    const found = bareRoutes.get(tag);
    if (found === undefined) return unknown(tag);
    if (found !== 'ambiguous') return found;
    return new OrganismError(
      'ORG_ERR_ROUTE_AMBIGUOUS',
      `${byBareTag.get(tag)!.length} listeners accept <${tag}> and none is marked broadcast: add <to> or use a full root tag`,
    );
  };

  return {
    listeners: byName,
    route(rawTag, rawTo, system = false) {
      const tag = rawTag.toLowerCase();
      const to = rawTo?.toLowerCase();
      if (tag === 'huh') {
        if (to === undefined || !system) return { kind: 'error', error: unknown(tag) };
        const listener = byName.get(to);
        return listener ? { kind: 'huh', to: listener.name, listener } : { kind: 'huh', to: rawTo! };
      }
      if (to !== undefined) {
        const listener = byName.get(to);
        if (!listener) return { kind: 'egress', to: rawTo! };
        const direct = listener.types.get(tag);
        if (direct) return { kind: 'deliver', targets: [{ listener, accepted: direct, byRootTag: false }] };
        const full = byRootTag.get(tag);
        if (full && full.listener === listener) return { kind: 'deliver', targets: [full] };
        return { kind: 'error', error: unknown(tag, listener.name) };
      }
      const full = byRootTag.get(tag);
      if (full) return { kind: 'deliver', targets: [full] };
      const found = bare(tag);
      return found instanceof OrganismError ? { kind: 'error', error: found } : { kind: 'deliver', targets: found };
    },
    responseTo(rawTag, caller) {
      const tag = rawTag.toLowerCase();
      if (tag === 'huh') return caller;
      // A dotted tag names a listener's root tag: unknown ones fail routing rather than becoming replies.
      if (byRootTag.has(tag) || tag.includes('.')) return undefined;
      const callerListener = byName.get(caller.toLowerCase());
      if (callerListener?.types.has(tag)) return caller;
      const found = bareRoutes.get(tag);
      return found === undefined || found === 'ambiguous' ? caller : undefined;
    },
  };
}
