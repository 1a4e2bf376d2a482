import { OrganismError, type CompiledSchema, type ValidationIssue } from '@organism/xml';
import { from, map, mergeMap, of, type OperatorFunction } from 'rxjs';
import type { MessageState } from '../messageState.js';
import { fail } from './stepInternals.js';
import { replacePayloadXml, requirePayloadElement } from './documentInternals.js';
import { preparedVerdict, schemaIdOf } from './prepared.js';

/** `<Greeting …>…</Greeting>` → `<greeting …>…</greeting>`; undefined when the text is not of that shape. */
function withLowerCaseRoot(xml: string, tag: string): string | undefined {
  const lower = tag.toLowerCase();
  const open = `<${tag}`;
  if (!xml.startsWith(open) || !/[\s/>]/.test(xml[open.length] ?? '')) return undefined;
  const close = `</${tag}>`;
  if (xml.endsWith(close)) return `<${lower}${xml.slice(open.length, xml.length - close.length)}</${lower}>`;
  if (xml.endsWith('/>')) return `<${lower}${xml.slice(open.length)}`;
  return undefined;
}

function invalid(state: MessageState, issues: readonly ValidationIssue[]): OrganismError {
  return new OrganismError(
    'ORG_ERR_PAYLOAD_INVALID',
    `<${state.tag}> does not match its schema: ${issues[0]?.message ?? 'invalid'}`,
    { details: issues.map((i) => i.message) },
  );
}

/** Validate one state; a Promise only when an asynchronous backend is involved. Never rejects. */
function check(state: MessageState): MessageState | Promise<MessageState> {
  if (state.error || state.route?.kind !== 'deliver') return state;
  try {
    // Routing compares tags case-insensitively; the generated XSDs declare lower-case names.
    const tag = state.tag ?? '';
    if (tag !== tag.toLowerCase() && state.payloadXml !== undefined) {
      const normalized = withLowerCaseRoot(state.payloadXml, tag);
      if (normalized !== undefined) replacePayloadXml(state, normalized);
    }
    const targets = state.route.targets;
    // One target is the common case: no set to build.
    const schemas: Iterable<CompiledSchema> =
      targets.length === 1
        ? [targets[0]!.byRootTag ? targets[0]!.accepted.rootSchema : targets[0]!.accepted.bareSchema]
        : new Set(targets.map((target) => (target.byRootTag ? target.accepted.rootSchema : target.accepted.bareSchema)));
    const pending: Promise<readonly ValidationIssue[]>[] = [];
    for (const schema of schemas) {
      // Validated ahead of the pass (off the main thread) when its envelope steps were.
      const verdict =
        preparedVerdict(state, schemaIdOf(schema)) ??
        schema.validate({
          get element() {
            return requirePayloadElement(state);
          },
          xml: state.payloadXml ?? '',
        });
      if (verdict instanceof Promise) pending.push(verdict);
      else if (verdict.length > 0) return fail(state, 'validatePayload', invalid(state, verdict));
    }
    if (pending.length === 0) return state;
    return Promise.all(pending).then(
      (verdicts) => {
        const issues = verdicts.find((v) => v.length > 0);
        return issues ? fail(state, 'validatePayload', invalid(state, issues)) : state;
      },
      // A backend that cannot run (Xerces without Java) fails this message, never the pump.
      (error: unknown) => fail(state, 'validatePayload', error),
    );
  } catch (error) {
    return fail(state, 'validatePayload', error);
  }
}

/**
 * Step 7: validate the payload against each target listener's generated XSD (each distinct
 * schema once). libxml2 validates the payload element in place. With `synchronous` (the libxml2
 * backend) the step is a plain `map`; otherwise an asynchronous backend (Xerces) makes it
 * asynchronous for the messages that need it.
 */
export function validatePayload(options: { synchronous?: boolean } = {}): OperatorFunction<MessageState, MessageState> {
  if (options.synchronous) {
    return map((state) => {
      const checked = check(state);
      return checked instanceof Promise
        ? fail(state, 'validatePayload', new OrganismError('ORG_ERR_INTERNAL', 'a validator declared synchronous returned a promise'))
        : checked;
    });
  }
  return mergeMap((state) => {
    const checked = check(state);
    return checked instanceof Promise ? from(checked) : of(checked);
  });
}
