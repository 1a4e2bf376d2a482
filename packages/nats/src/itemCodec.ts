import { OrganismError, buildEnvelope } from '@organism/xml';
import type { TransportItem, TransportReceipt } from '@organism/core';

/**
 * Version 2 leaves out envelopes the receiver can make from the parts it gets (see encodeItem).
 * Version 1 (every envelope written out) is still read.
 */
const VERSION = 2;
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * A carried item as the JSON body of a JetStream message: every field but the receipt, and its
 * Nats-Msg-Id (`id`, so the receiver needs not parse headers to announce it completed).
 *
 * An envelope is left out when it is exactly what `buildEnvelope` makes of the parts sent with it
 * (a delivery's `built`, an egress's meta and payload): the receiver makes it again. That holds
 * for every envelope the organism built, and for a client's envelope whose canonical form says
 * nothing its parts do not (no whitespace between the meta elements, say). The envelope of an
 * egress item is its egress's: written once, if at all.
 */
export function encodeItem(item: TransportItem, id: string): Uint8Array {
  const envelope = typeof item.envelope === 'string' ? item.envelope : decoder.decode(item.envelope);
  const body: Record<string, unknown> = { v: VERSION, id };
  const egress = item.egress;
  if (egress !== undefined) {
    if (egress.envelope !== envelope) body.envelope = envelope;
  } else if (item.built === undefined || !makes(item.built, item.built.payloadXml, envelope)) {
    body.envelope = envelope;
  }
  body.origin = item.origin;
  if (item.identity !== undefined) body.identity = item.identity;
  if (item.thread !== undefined) body.thread = item.thread;
  if (item.chain !== undefined) body.chain = item.chain;
  if (item.reply === true) body.reply = true;
  const built = item.built;
  if (built !== undefined) {
    // Its thread is the item's (always, for a delivery): written once.
    body.built =
      built.thread === item.thread
        ? built.to === undefined
          ? { from: built.from, tag: built.tag, ns: built.ns, payloadXml: built.payloadXml }
          : { from: built.from, to: built.to, tag: built.tag, ns: built.ns, payloadXml: built.payloadXml }
        : built;
  }
  if (item.delivery !== undefined) body.delivery = item.delivery;
  if (egress !== undefined) {
    body.egress = makes(egress, egress.payload, egress.envelope)
      ? { from: egress.from, to: egress.to, thread: egress.thread, tag: egress.tag, payload: egress.payload }
      : egress;
  }
  return encoder.encode(JSON.stringify(body));
}

/**
 * Read a JetStream message body back into an item (with `receipt` set, if given);
 * ORG_ERR_NATS_MESSAGE for anything this transport did not write (the message then goes to the
 * dead-letter subject).
 */
export function decodeItem(data: Uint8Array, subject: string, receipt?: TransportReceipt): { item: TransportItem; id: string } {
  let body: unknown;
  try {
    body = JSON.parse(decoder.decode(data));
  } catch (error) {
    throw notOurs(subject, 'its body is not JSON text', error);
  }
  if (!isRecord(body) || (body.v !== VERSION && body.v !== 1)) throw notOurs(subject, `it is not a version 1 or ${VERSION} organism item`);
  const { id, origin, identity, thread, chain, reply, built, delivery, egress } = body;
  if (typeof id !== 'string') throw notOurs(subject, '"id" is not a string');
  if (origin !== 'external' && origin !== 'response' && origin !== 'system') throw notOurs(subject, '"origin" is not external, response or system');
  optional(subject, 'identity', identity, isString);
  optional(subject, 'thread', thread, isString);
  optional(subject, 'chain', chain, isStringArray);
  optional(subject, 'reply', reply, (v) => v === true);
  if (isRecord(built) && built.thread === undefined && body.v === VERSION && isString(thread)) built.thread = thread;
  optional(subject, 'built', built, (v) => isRecord(v) && isString(v.from) && isString(v.thread) && isString(v.tag) && isString(v.ns) && isString(v.payloadXml) && (v.to === undefined || isString(v.to)));
  optional(
    subject,
    'delivery',
    delivery,
    (v) =>
      isRecord(v) &&
      isString(v.listener) &&
      isStringArray(v.chain) &&
      isString(v.respondTo) &&
      isRecord(v.budget) &&
      typeof v.budget.messages === 'number' &&
      Array.isArray(v.budget.repeats) &&
      v.budget.repeats.every((e: unknown) => Array.isArray(e) && e.length === 2 && isString(e[0]) && typeof e[1] === 'number'),
  );
  optional(
    subject,
    'egress',
    egress,
    (v) => isRecord(v) && ['from', 'to', 'thread', 'tag', 'payload'].every((k) => isString(v[k])) && (isString(v.envelope) || (v.envelope === undefined && body.v === VERSION)),
  );
  if (egress !== undefined && egress.envelope === undefined) egress.envelope = rebuilt(subject, egress, egress.payload);
  if (delivery !== undefined && (thread === undefined || built === undefined)) throw notOurs(subject, 'a delivery without its thread and built envelope');
  const envelope =
    body.envelope !== undefined || body.v !== VERSION ? body.envelope : egress !== undefined ? egress.envelope : built !== undefined ? rebuilt(subject, built, built.payloadXml) : undefined;
  if (typeof envelope !== 'string') throw notOurs(subject, '"envelope" is not a string');
  const item: Record<string, unknown> = { envelope, origin };
  if (identity !== undefined) item.identity = identity;
  if (thread !== undefined) item.thread = thread;
  if (chain !== undefined) item.chain = chain;
  if (reply !== undefined) item.reply = reply;
  if (built !== undefined) item.built = built;
  if (delivery !== undefined) item.delivery = delivery;
  if (egress !== undefined) item.egress = egress;
  if (receipt !== undefined) item.receipt = receipt;
  return { item: item as unknown as TransportItem, id };
}

/** `buildEnvelope(meta, payloadXml)` is `envelope`. */
function makes(meta: { from: string; to?: string; thread: string }, payloadXml: string, envelope: string): boolean {
  try {
    return buildEnvelope(meta, payloadXml) === envelope;
  } catch {
    return false;
  }
}

function rebuilt(subject: string, meta: { from: string; to?: string; thread: string }, payloadXml: string): string {
  try {
    return buildEnvelope(meta, payloadXml);
  } catch (error) {
    throw notOurs(subject, 'the payload it was sent with is not one XML element', error);
  }
}

function optional(subject: string, name: string, value: unknown, check: (value: unknown) => boolean): void {
  if (value !== undefined && !check(value)) throw notOurs(subject, `"${name}" has the wrong shape`);
}

function notOurs(subject: string, why: string, cause?: unknown): OrganismError {
  return new OrganismError('ORG_ERR_NATS_MESSAGE', `a message on ${subject} is not an organism item (${why}): only organism processes should publish on the organism's subjects`, {
    ...(cause === undefined ? {} : { cause }),
  });
}

function isRecord(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
function isString(value: unknown): value is string {
  return typeof value === 'string';
}
function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every(isString);
}
