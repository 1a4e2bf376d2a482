import { OrganismError, escapeXmlText } from '@organism/xml';
import type { Listener } from './listener.js';
import type { RoutingTable } from './routingTable.js';

/** Namespace of the reserved introspection payloads. */
export const META_NS = 'https://xml-pipeline.org/ns/meta/v1';

/** Which introspection requests the organism answers (`meta:` in organism.yaml). */
export interface MetaFlags {
  /** `<list-capabilities/>` → `<capabilities>`. */
  readonly listCapabilities: boolean;
  /** `<request-schema><listener>x</listener></request-schema>` → `<schema>`. */
  readonly requestSchema: boolean;
  /** `<request-example>…` → `<example>`. */
  readonly requestExample: boolean;
  /** `<request-prompt>…` → `<prompt>`. */
  readonly requestPrompt: boolean;
}

export const DEFAULT_META_FLAGS: MetaFlags = Object.freeze({
  listCapabilities: true,
  requestSchema: true,
  requestExample: true,
  requestPrompt: true,
});

const REQUESTS = {
  'list-capabilities': 'listCapabilities',
  'request-schema': 'requestSchema',
  'request-example': 'requestExample',
  'request-prompt': 'requestPrompt',
} as const satisfies Record<string, keyof MetaFlags>;

/** True for the reserved request tags (answers use other tags). */
export function isMetaRequest(tag: string): boolean {
  return tag.toLowerCase() in REQUESTS;
}

function unknownListener(): OrganismError {
  // Identical for "does not exist" and "not visible to you": nothing about the topology leaks.
  return new OrganismError('ORG_ERR_ROUTE_UNKNOWN', 'no listener of that name is available to you');
}

/** Listeners the asker may learn about: an agent sees its peers; everyone else sees all. */
function visibleTo(asker: Listener | undefined, table: RoutingTable): Listener[] {
  const all = [...table.listeners.values()];
  if (!asker?.agent) return all;
  const peers = new Set(asker.peers.map((p) => p.toLowerCase()));
  return all.filter((l) => peers.has(l.key));
}

function attr(value: string): string {
  return escapeXmlText(value).replace(/"/g, '&quot;');
}

/**
 * Answer an introspection request; returns the answer payload XML or the error for a `<huh>`.
 *
 * @param payloadXml the canonical request payload
 */
export function answerMeta(tag: string, payloadXml: string, asker: Listener | undefined, table: RoutingTable, flags: MetaFlags): string | OrganismError {
  const request = tag.toLowerCase() as keyof typeof REQUESTS;
  const flag = REQUESTS[request];
  if (!flag) return new OrganismError('ORG_ERR_ROUTE_UNKNOWN', `<${tag}> is not an introspection request`);
  if (!flags[flag]) {
    return new OrganismError('ORG_ERR_META_REFUSED', `this organism does not answer <${tag}> (organism.yaml meta: ${flag.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)} is false)`);
  }
  const visible = visibleTo(asker, table);
  if (request === 'list-capabilities') {
    const entries = visible.map((l) => {
      const tags = [...l.types.values()].map((t) => `<root-tag>${escapeXmlText(t.rootTag)}</root-tag>`).join('');
      return `<listener name="${attr(l.name)}" agent="${l.agent}"><description>${escapeXmlText(l.description)}</description>${tags}</listener>`;
    });
    return `<capabilities xmlns="${META_NS}">${entries.join('')}</capabilities>`;
  }
  const name = /<listener(?:\s[^>]*)?>([^<]*)<\/listener>/.exec(payloadXml)?.[1]?.trim().toLowerCase();
  const target = name === undefined ? undefined : visible.find((l) => l.key === name);
  if (!target) return unknownListener();
  const element = request === 'request-schema' ? 'schema' : request === 'request-example' ? 'example' : 'prompt';
  const parts = [...target.types.values()].map((t) => {
    const body =
      element === 'schema' ? t.contract.xsdFor(t.rootTag) : element === 'example' ? t.contract.example : t.contract.prompt(t.rootTag);
    return `<type root-tag="${attr(t.rootTag)}">${escapeXmlText(body)}</type>`;
  });
  return `<${element} xmlns="${META_NS}" listener="${attr(target.name)}">${parts.join('')}</${element}>`;
}
