import { ENVELOPE_NS, OrganismError, extractPayload, parseXml, validateEnvelope, type XmlLimits } from '@organism/xml';
import { isUuidV4 } from '@organism/core';

/** A client frame the server understood; see docs/server.md for the three kinds. */
export type ClientFrame =
  /** A full `<message>` envelope on a thread the client names (a UUID v4, lower-cased here). */
  | { readonly kind: 'envelope'; readonly raw: string; readonly thread: string; readonly to?: string }
  /** `@<listener> <payload>`: the server builds the envelope on a new thread. */
  | { readonly kind: 'addressed'; readonly to: string; readonly payload: string }
  /** A bare payload element, routed by its tag, on a new thread. */
  | { readonly kind: 'payload'; readonly raw: string };

export interface FrameRules {
  /** Whether a name is one of the organism's listeners (case-insensitive). */
  isListener(name: string): boolean;
  readonly limits: Partial<XmlLimits>;
}

const ADDRESSED = /^@(\S+)\s+(\S[\s\S]*)$/;

function notAListener(to: string): OrganismError {
  return new OrganismError('ORG_ERR_SERVER_ADDRESS', `"${to}" is not a listener here: clients may address listeners only`);
}

/**
 * Classify a text frame and check what the server must know before the organism sees it: who it
 * is addressed to (listeners only) and, for envelopes, the thread. Envelopes are parsed and
 * validated the way the pump does it, so a frame that fails here would fail there too; the
 * frame itself is passed on untouched.
 *
 * @throws OrganismError with the pump's code (ORG_ERR_XML_PARSE, ORG_ERR_ENVELOPE_INVALID, ...)
 *   or ORG_ERR_SERVER_FRAME / ORG_ERR_SERVER_ADDRESS.
 */
export function readClientFrame(text: string, rules: FrameRules): ClientFrame {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('@')) {
    const match = ADDRESSED.exec(trimmed.trimEnd());
    if (!match) {
      throw new OrganismError('ORG_ERR_SERVER_FRAME', 'an "@" frame is "@<listener> <payload xml>", e.g. "@greeter <greeting><name>World</name></greeting>"');
    }
    const to = match[1]!;
    if (!rules.isListener(to)) throw notAListener(to);
    return { kind: 'addressed', to, payload: match[2]! };
  }
  const parsed = parseXml(text, rules.limits);
  try {
    const root = parsed.doc.root;
    if (root.name !== 'message' || root.namespaceUri !== ENVELOPE_NS) return { kind: 'payload', raw: text };
    validateEnvelope(parsed.doc);
    const parts = extractPayload(parsed.doc);
    const written: string = parts.thread;
    if (!isUuidV4(parts.thread)) {
      throw new OrganismError(
        'ORG_ERR_SERVER_FRAME',
        `an envelope frame names its thread as a UUID v4, got "${written.slice(0, 60)}": ` +
          'make one up (crypto.randomUUID()) to start a thread, or send "@<listener> <payload>" and let the server choose',
      );
    }
    if (parts.to !== undefined && !rules.isListener(parts.to)) throw notAListener(parts.to);
    const thread = parts.thread.toLowerCase();
    return parts.to === undefined ? { kind: 'envelope', raw: text, thread } : { kind: 'envelope', raw: text, thread, to: parts.to };
  } finally {
    parsed.dispose();
  }
}
