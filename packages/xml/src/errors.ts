/**
 * The single registry of Organism error codes: code -> one-line description.
 * Every package appends its codes here; `docs/errors.md` documents each one.
 *
 * @example
 * ```ts
 * import { ErrorCodes } from '@organism/xml';
 * console.log(ErrorCodes.ORG_ERR_XML_DTD); // 'the input contains a DTD or entity declaration ...'
 * ```
 */
export const ErrorCodes = {
  // xml
  ORG_ERR_XML_TOO_LARGE: 'the input is larger than the configured maxBytes limit (measured as UTF-8)',
  ORG_ERR_XML_TOO_DEEP: 'elements are nested deeper than the configured maxDepth limit',
  ORG_ERR_XML_DTD:
    'the input contains a DTD or entity declaration (<!DOCTYPE, <!ENTITY, ...); these are never resolved',
  ORG_ERR_XML_PARSE: 'the input is not XML and could not be repaired into a document',
  ORG_ERR_ENVELOPE_INVALID: 'the envelope does not match the envelope XSD',
  ORG_ERR_ENVELOPE_PAYLOAD: 'the envelope carries zero or several payload elements instead of exactly one',
  ORG_ERR_RESPONSE_TOO_MANY: 'a handler response contains more payloads than maxPayloadsPerResponse',
  ORG_ERR_RESPONSE_ENVELOPE: 'a handler response contains a <message> envelope (forged identity); it is rejected',
  ORG_ERR_RESPONSE_PARSE: 'a payload in a handler response is malformed beyond repair',
  ORG_ERR_XSD_COMPILE: 'an XSD could not be parsed or compiled',
  ORG_ERR_VALIDATOR_UNAVAILABLE: 'the selected XSD validator cannot run here (the Xerces backend needs java)',
  // schema
  ORG_ERR_SCHEMA_UNSUPPORTED: 'a zod construct cannot be expressed as XSD',
  ORG_ERR_PAYLOAD_INVALID: 'a payload does not match its listener XSD',
  ORG_ERR_PAYLOAD_DESERIALIZE: 'a payload could not be turned into a typed object through its zod schema',
  // core
  ORG_ERR_ROUTE_UNKNOWN: 'no listener accepts the payload root tag',
  ORG_ERR_ROUTE_AMBIGUOUS: 'several listeners accept a bare tag, none is marked broadcast, and no <to> chooses one',
  ORG_ERR_HANDLER_THREW: 'a handler threw or rejected',
  ORG_ERR_HANDLER_RESULT: 'a handler returned a value the pump cannot use',
  ORG_ERR_BUSY: 'the organism is at capacity and did not accept the message',
  ORG_ERR_CLOSED: 'the object was closed or disposed and cannot be used any more',
  ORG_ERR_CONFIG: 'a configuration value is invalid',
  ORG_ERR_REGISTRATION: 'a listener could not be registered',
  ORG_ERR_OPERATOR: 'a custom operator plugged into the pipeline threw for this message',
  ORG_ERR_CONSOLE_INPUT: 'a console line is neither "@<listener> <payload>" nor an envelope',
  ORG_ERR_BUDGET_HOPS: 'a call chain on a thread grew longer than max_hops; the thread was ended',
  ORG_ERR_BUDGET_MESSAGES: 'a thread routed more messages than max_messages_per_thread; the thread was ended',
  ORG_ERR_REPEAT: 'the same payload reached the same listener on one thread more than max_repeats times; the thread was ended',
  ORG_ERR_THREAD_HALTED: 'a message arrived on a thread that was ended (by <halt/>, halt() or a budget); it was not routed',
  ORG_ERR_PEER_VIOLATION: 'an agent addressed a listener that is not one of its declared peers',
  ORG_ERR_HANDLER_TIMEOUT: 'a handler ran longer than handler_timeout_ms; its signal was aborted',
  ORG_ERR_META_REFUSED: 'an introspection request that organism.yaml meta: flags do not allow',
  ORG_ERR_INTERNAL: 'an unexpected failure inside the organism (a bug: please report it with the message)',
  ORG_ERR_XML_WORKER: 'the XML worker thread failed; its envelopes were prepared on the main thread instead, none was lost',
  // server
  ORG_ERR_SERVER_AUTH: 'a WebSocket client presented no token or a wrong one; the connection is closed with 4401',
  ORG_ERR_SERVER_FRAME: 'a client frame is not one the server reads (binary, "@" without a payload, an envelope without a UUID v4 <thread>)',
  ORG_ERR_SERVER_ADDRESS: 'a client addressed something other than a listener; clients may only address listeners',
  ORG_ERR_SERVER_THREAD: 'a client frame continues a thread that belongs to another client',
  ORG_ERR_SERVER_RATE: 'a client sent frames faster than its per-connection rate limit; the frame was dropped',
  ORG_ERR_SERVER_IN_FLIGHT: 'a client has too many threads in flight on one connection; the frame was dropped',
  ORG_ERR_SERVER_LISTEN: 'the server could not listen on its host and port (in use, not permitted)',
  // llm
  ORG_ERR_LLM_REQUEST: 'a model backend refused the request (HTTP 4xx other than 429: bad model name, bad key, prompt too long); not retried',
  ORG_ERR_LLM_UNAVAILABLE: 'no model backend completed the request: every attempt failed (5xx, 429, network, timeout) through the retries and failover',
  ORG_ERR_LLM_TIMEOUT: "a model's stream stalled longer than its backend's timeout_ms after text had arrived; the request was aborted",
  ORG_ERR_LLM_BUDGET: 'a thread used more model tokens than max_tokens_per_thread; the thread was ended',
  // nats
  ORG_ERR_NATS_CONNECT: 'the NATS transport cannot reach its server, or the server has no JetStream (start nats-server with -js)',
  ORG_ERR_NATS_PUBLISH: 'the NATS transport could not store a message in JetStream (server unreachable past the publish timeout, stream full, message too large)',
  ORG_ERR_NATS_DEAD_LETTER: 'a message was delivered max_deliver times without being completed; it was moved to the dead-letter subject',
  ORG_ERR_NATS_MESSAGE: 'a message on the organism stream is not one the NATS transport wrote (not its JSON item); it was moved to the dead-letter subject',
  // cli
  ORG_ERR_CLI_USAGE: 'a command-line argument is invalid (unknown listener, bad port, missing token)',
  ORG_ERR_CLIENT_CONNECT: 'organism send could not connect to the server',
  ORG_ERR_CLIENT_CLOSED: 'the server closed the connection before the thread was idle',
  ORG_ERR_CLIENT_TIMEOUT: 'the thread did not become idle within the timeout',
} as const;

/**
 * A stable error code, e.g. `'ORG_ERR_XML_PARSE'`.
 *
 * @example
 * ```ts
 * const code: ErrorCode = 'ORG_ERR_ENVELOPE_INVALID';
 * ```
 */
export type ErrorCode = keyof typeof ErrorCodes;

/**
 * Codes a handler may fail with as its own (a plugin's built-in handler: a model backend's
 * refusal, a token budget): the pump reports them as they are instead of as ORG_ERR_HANDLER_THREW.
 *
 * @example
 * HANDLER_REPORTED_CODES.has('ORG_ERR_LLM_REQUEST'); // true
 */
export const HANDLER_REPORTED_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['ORG_ERR_LLM_REQUEST', 'ORG_ERR_LLM_UNAVAILABLE', 'ORG_ERR_LLM_TIMEOUT', 'ORG_ERR_LLM_BUDGET']);

/**
 * The one error class of Organism: a stable `code`, a message that says what went wrong, where and
 * what to do, optional `details` (library messages, field paths) and the original library error as `cause`.
 *
 * @example
 * ```ts
 * throw new OrganismError('ORG_ERR_XML_PARSE', 'line 3: unexpected end of input; close every element',
 *   { cause: libxmlError, details: ['line 3: Premature end of data'] });
 * ```
 */
export class OrganismError extends Error {
  readonly code: ErrorCode;
  readonly details?: readonly string[];

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; details?: readonly string[] }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OrganismError';
    this.code = code;
    if (options?.details !== undefined) this.details = Object.freeze([...options.details]);
  }
}

/**
 * True when `error` is an {@link OrganismError}, optionally with the given code.
 *
 * @example
 * ```ts
 * try { parseXml(input); } catch (e) { if (isOrganismError(e, 'ORG_ERR_XML_DTD')) reject(); else throw e; }
 * ```
 */
export function isOrganismError(error: unknown, code?: ErrorCode): error is OrganismError {
  return error instanceof OrganismError && (code === undefined || error.code === code);
}
