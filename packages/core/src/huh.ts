import { z } from 'zod';
import { escapeXmlText, type OrganismError } from '@organism/xml';
import { compileContract, definePayload } from '@organism/schema';

/** Reserved payload tag for error feedback. No listener may accept a type of this name. */
export const HUH_TAG = 'huh';
/** Reserved sender name of messages the organism itself writes (`<huh>`, introspection). */
export const SYSTEM_SENDER = 'organism';
/** How much of a failed attempt a `<huh>` quotes back. */
export const HUH_ATTEMPT_LIMIT = 2048;

/** A `<huh>` as a listener's `onHuh` receives it. */
export interface Huh {
  readonly code: string;
  readonly message: string;
  /** The failed attempt, truncated to {@link HUH_ATTEMPT_LIMIT} characters. */
  readonly attempt?: string;
}

/**
 * Canned, LLM-readable feedback per error code. It says what to change and never names
 * listeners or topology the sender did not already name.
 */
function cannedMessage(error: OrganismError): string {
  switch (error.code) {
    case 'ORG_ERR_ROUTE_UNKNOWN':
    case 'ORG_ERR_ROUTE_AMBIGUOUS':
    case 'ORG_ERR_PEER_VIOLATION':
      return GENERIC_UNREACHABLE;
    case 'ORG_ERR_PAYLOAD_INVALID':
    case 'ORG_ERR_PAYLOAD_DESERIALIZE':
      return `The payload does not match its schema: ${(error.details ?? []).slice(0, 5).join('; ') || error.message}`;
    case 'ORG_ERR_HANDLER_THREW':
      return 'The recipient failed while handling your message. You may retry later.';
    case 'ORG_ERR_HANDLER_TIMEOUT':
      return 'The recipient took too long to handle your message and was stopped. You may retry later.';
    default:
      return error.message;
  }
}

/**
 * The one answer for "does not exist", "not allowed" and "ambiguous": identical text and code, so
 * a sender cannot probe the topology.
 */
const GENERIC_UNREACHABLE = 'Nothing here accepts that payload at that address. Check the root tag and the recipient.';

/** Codes a `<huh>` shows as ORG_ERR_ROUTE_UNKNOWN (the real code is on errors$ only). */
const UNREACHABLE_CODES: ReadonlySet<string> = new Set(['ORG_ERR_ROUTE_UNKNOWN', 'ORG_ERR_ROUTE_AMBIGUOUS', 'ORG_ERR_PEER_VIOLATION']);

export function huhFor(error: OrganismError, attempt?: string): Huh {
  const clipped =
    attempt === undefined
      ? undefined
      : attempt.length > HUH_ATTEMPT_LIMIT
        ? `${attempt.slice(0, HUH_ATTEMPT_LIMIT)}…[truncated]`
        : attempt;
  const code = UNREACHABLE_CODES.has(error.code) ? 'ORG_ERR_ROUTE_UNKNOWN' : error.code;
  return { code, message: cannedMessage(error), ...(clipped !== undefined ? { attempt: clipped } : {}) };
}

// Read with the schema package's scanner like any payload: no hand-written XML parsing here.
const huhContract = compileContract(
  definePayload('huh', z.object({ code: z.string(), message: z.string(), attempt: z.string().optional() })),
  'error feedback from the organism',
);

/** Read a `<huh>` the organism wrote (canonical payload text). */
export function parseHuh(payloadXml: string): Huh {
  try {
    const { code, message, attempt } = huhContract.fromCanonicalXml(payloadXml);
    return attempt === undefined ? { code, message } : { code, message, attempt };
  } catch {
    // Only the organism's own <huh> is routed, so this is a bug, not bad input: still deliver something.
    return { code: 'ORG_ERR_INTERNAL', message: 'unreadable <huh>' };
  }
}

export function huhToXml(huh: Huh): string {
  const attempt = huh.attempt !== undefined ? `<attempt>${escapeXmlText(huh.attempt)}</attempt>` : '';
  return `<huh><code>${escapeXmlText(huh.code)}</code><message>${escapeXmlText(huh.message)}</message>${attempt}</huh>`;
}
