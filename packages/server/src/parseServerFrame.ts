import { XmlElement } from 'libxml2-wasm';
import { ENVELOPE_NS, OrganismError, canonicalize, extractPayload, parseXml } from '@organism/xml';
import { SERVER_NS } from './serverFrames.js';
import type { EgressMessage } from '@organism/core';

/** A frame the server sent, as {@link parseServerFrame} reads it. */
export type ServerFrame =
  /** First frame of a connection: the identity the server gave it. */
  | { readonly kind: 'welcome'; readonly identity: string; readonly organism: string }
  /** An egress envelope addressed to this client: a reply, or a `<huh>` (then `huh` is set). */
  | (EgressMessage & {
      readonly kind: 'message';
      readonly huh?: { readonly code: string; readonly message: string };
    })
  /** The organism accepted a frame; its messages travel on `thread`. */
  | { readonly kind: 'accepted'; readonly thread: string }
  /** Nothing is left to do on `thread`: every reply was sent. */
  | { readonly kind: 'idle'; readonly thread: string }
  /** A frame was not accepted. */
  | { readonly kind: 'error'; readonly code: string; readonly message: string; readonly thread?: string };

function children(element: XmlElement): Map<string, string> {
  const out = new Map<string, string>();
  for (let node = element.firstChild; node !== null; node = node.next) {
    if (node instanceof XmlElement && !out.has(node.name)) out.set(node.name, node.content.trim());
  }
  return out;
}

function unexpected(what: string): OrganismError {
  return new OrganismError('ORG_ERR_CLIENT_CONNECT', `the server sent ${what}; is this an organism server (docs/server.md)?`);
}

/**
 * Read one frame the server sent: an egress envelope or one of the server's own frames.
 *
 * @throws OrganismError when the text is no frame of this protocol.
 * @example
 * ws.on('message', (data) => {
 *   const frame = parseServerFrame(data.toString());
 *   if (frame.kind === 'message') console.log(frame.from, frame.payload);
 * });
 */
export function parseServerFrame(text: string): ServerFrame {
  const parsed = parseXml(text);
  try {
    const root = parsed.doc.root;
    if (root.namespaceUri === ENVELOPE_NS && root.name === 'message') {
      const parts = extractPayload(parsed.doc);
      const payload = canonicalize(parts.payload);
      const base = { kind: 'message', from: parts.from, to: parts.to ?? '', thread: parts.thread, tag: parts.payloadTag, payload, envelope: text } as const;
      if (parts.payloadTag !== 'huh') return base;
      const fields = children(parts.payload);
      return { ...base, huh: { code: fields.get('code') ?? '', message: fields.get('message') ?? '' } };
    }
    if (root.namespaceUri !== SERVER_NS) throw unexpected(`<${root.name}> in namespace "${root.namespaceUri ?? ''}"`);
    const fields = children(root);
    const thread = fields.get('thread');
    switch (root.name) {
      case 'welcome':
        return { kind: 'welcome', identity: fields.get('identity') ?? '', organism: fields.get('organism') ?? '' };
      case 'accepted':
      case 'idle':
        if (thread === undefined) throw unexpected(`<${root.name}> without a thread`);
        return { kind: root.name, thread };
      case 'error':
        return thread === undefined
          ? { kind: 'error', code: fields.get('code') ?? '', message: fields.get('message') ?? '' }
          : { kind: 'error', code: fields.get('code') ?? '', message: fields.get('message') ?? '', thread };
      default:
        throw unexpected(`an unknown frame <${root.name}>`);
    }
  } finally {
    parsed.dispose();
  }
}
