import { ENVELOPE_NS } from '@organism/xml';

export const THREAD = '3f1c2a4b-1234-4abc-8def-0123456789ab';

/** A raw envelope with the meta block written as given (so tests can break it). */
export function rawEnvelope(meta: string, payloads: string): string {
  return `<message xmlns="${ENVELOPE_NS}"><meta>${meta}</meta>${payloads}</message>`;
}

/** A well-formed envelope; payloads get `xmlns=""` so they stay out of the envelope namespace. */
export function envelopeXml(meta: { from: string; to?: string; thread?: string }, payload: string): string {
  const to = meta.to === undefined ? '' : `<to>${meta.to}</to>`;
  const unqualified = payload.replace(/^<([A-Za-z_][\w.-]*)/, '<$1 xmlns=""');
  return rawEnvelope(`<from>${meta.from}</from>${to}<thread>${meta.thread ?? THREAD}</thread>`, unqualified);
}
