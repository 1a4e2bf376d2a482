import { OrganismError, PayloadExtractor, parseXml, type Extracted, type XmlLimits } from '@organism/xml';
import { compileContract, type Contract, type PayloadType } from '@organism/schema';
import { Observable, type OperatorFunction } from 'rxjs';
import type { Call, HandlerOutput } from './dispatch.js';

/** One payload a handler emitted, or an error about its output, or the end of its call. */
export type ResponseItem =
  | {
      readonly kind: 'payload';
      readonly call: Call;
      readonly xml: string;
      readonly tag: string;
      /** Namespace URI of the payload root; `''` when none. */
      readonly ns?: string;
      readonly to?: string;
      readonly respond?: boolean;
    }
  | { readonly kind: 'halt'; readonly call: Call; readonly reason?: string }
  | { readonly kind: 'error'; readonly call: Call; readonly error: OrganismError; readonly attempt?: string }
  | { readonly kind: 'done'; readonly call: Call; readonly failed: boolean };

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type Emit = (item: ResponseItem) => void;

/** Namespace of the reserved `<return>` and `<halt>` forms; they are also accepted without it. */
export const CORE_NS = 'https://xml-pipeline.org/ns/core/v1';

function isReserved(item: { tag: string; ns: string }, name: 'return' | 'halt'): boolean {
  return item.tag.toLowerCase() === name && (item.ns === '' || item.ns === CORE_NS);
}

/** The content of an element's text form: between the end of its start tag and its end tag. */
function innerXml(xml: string): string {
  const open = xml.indexOf('>');
  if (open < 0 || xml[open - 1] === '/') return '';
  const close = xml.lastIndexOf('</');
  return close > open ? xml.slice(open + 1, close) : '';
}

/** The text content of a (well-formed, extracted) element; `<halt>` is rare, so a real parse is fine. */
function textOf(xml: string): string {
  using parsed = parseXml(xml);
  return parsed.doc.root.content.trim();
}

export interface ExtractEnv {
  readonly limits: XmlLimits;
}

const contracts = new WeakMap<PayloadType, Contract>();
function contractOf(type: PayloadType): Contract {
  let contract = contracts.get(type);
  if (!contract) {
    contract = compileContract(type, type.name);
    contracts.set(type, contract);
  }
  return contract;
}

/**
 * Step 10: extract 1..N payloads from each handler call's output. Streamed chunks feed one
 * incremental extractor per call, so each payload leaves as soon as its closing tag arrives;
 * the extractor is dropped at the call's end. The payload count per call is bounded.
 */
export function extractResponses(env: ExtractEnv): OperatorFunction<HandlerOutput, ResponseItem> {
  return (source) => {
    const streams = new Map<number, PayloadExtractor>();
    const counts = new Map<number, number>();

    /** Emit the items for `extracted` (the call's payloads, errors, or a halt) in order. */
    const collect = (emit: Emit, call: Call, extracted: readonly Extracted[], to?: string, attempt?: string, respond?: boolean): void => {
      for (const item of extracted) {
        if (item.kind === 'payload' && isReserved(item, 'halt')) {
          const reason = textOf(item.xml);
          emit(reason === '' ? { kind: 'halt', call } : { kind: 'halt', call, reason });
          continue;
        }
        if (item.kind === 'payload' && isReserved(item, 'return')) {
          // <return>payload</return>: a reply to the caller, as respond() in TypeScript.
          const inner = new PayloadExtractor(env.limits);
          collect(emit, call, [...inner.push(innerXml(item.xml)), ...inner.end()], undefined, attempt, true);
          continue;
        }
        if (item.kind === 'error') {
          if (item.error.code === 'ORG_ERR_RESPONSE_TOO_MANY') {
            // One report per call, whether an extractor or the count below noticed first.
            if ((counts.get(call.id) ?? 0) > env.limits.maxPayloadsPerResponse) continue;
            counts.set(call.id, env.limits.maxPayloadsPerResponse + 1);
          }
          emit(attempt === undefined ? { kind: 'error', call, error: item.error } : { kind: 'error', call, error: item.error, attempt });
          continue;
        }
        const count = (counts.get(call.id) ?? 0) + 1;
        counts.set(call.id, count);
        if (count === env.limits.maxPayloadsPerResponse + 1) {
          emit({
            kind: 'error',
            call,
            error: new OrganismError(
              'ORG_ERR_RESPONSE_TOO_MANY',
              `handler of "${call.listener.name}" emitted more than ${env.limits.maxPayloadsPerResponse} payloads for one message; the rest were dropped`,
            ),
          });
        }
        if (count > env.limits.maxPayloadsPerResponse) continue;
        const payload: Mutable<Extract<ResponseItem, { kind: 'payload' }>> = { kind: 'payload', call, xml: item.xml, tag: item.tag, ns: item.ns };
        if (to !== undefined) payload.to = to;
        if (respond) payload.respond = respond;
        emit(payload);
      }
    };

    /** Emit what one handler output means, in order. */
    const handle = (emit: Emit, output: HandlerOutput): void => {
      const { call } = output;
      switch (output.kind) {
        case 'chunk': {
          let extractor = streams.get(call.id);
          if (!extractor) {
            extractor = new PayloadExtractor(env.limits);
            streams.set(call.id, extractor);
          }
          collect(emit, call, extractor.push(output.text));
          return;
        }
        case 'xml': {
          const extractor = new PayloadExtractor(env.limits);
          const found = [...extractor.push(output.text), ...extractor.end()];
          if (found.length === 0) {
            emit({
              kind: 'error',
              call,
              error: new OrganismError('ORG_ERR_RESPONSE_PARSE', `handler of "${call.listener.name}" returned text without any XML payload element`),
              attempt: output.text,
            });
            return;
          }
          collect(emit, call, found, output.to, output.text, output.respond);
          return;
        }
        case 'typed': {
          let extracted: Extracted;
          try {
            const contract = contractOf(output.payload.type);
            // Canonical text: the envelope built around it is canonical too, and never re-parsed.
            extracted = { kind: 'payload', xml: contract.toCanonicalXml(output.payload.value), tag: contract.tag, ns: '' };
          } catch (error) {
            emit({
              kind: 'error',
              call,
              error: error instanceof OrganismError
                ? error
                : new OrganismError('ORG_ERR_HANDLER_RESULT', `typed payload "${output.payload.type.name}" could not be serialized`, { cause: error }),
            });
            return;
          }
          collect(emit, call, [extracted], output.to, undefined, output.respond);
          return;
        }
        case 'error':
          emit({ kind: 'error', call, error: output.error });
          return;
        case 'halt':
          emit(output.reason === undefined ? { kind: 'halt', call } : { kind: 'halt', call, reason: output.reason });
          return;
        case 'end': {
          const extractor = streams.get(call.id);
          if (extractor !== undefined) {
            streams.delete(call.id);
            if (!output.failed) collect(emit, call, extractor.end());
          }
          counts.delete(call.id);
          emit({ kind: 'done', call, failed: output.failed });
          return;
        }
      }
    };

    // Items go straight to the subscriber as they are found: no array per handler output.
    return new Observable<ResponseItem>((subscriber) => {
      const emit: Emit = (item) => subscriber.next(item);
      return source.subscribe({
        next(output) {
          try {
            handle(emit, output);
          } catch (error) {
            subscriber.error(error);
          }
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
    });
  };
}
