import { escapeXmlText } from '@organism/xml';

/**
 * Namespace of the frames the server itself writes (`<welcome>`, `<accepted>`, `<idle>`, `<error>`).
 *
 * @example
 * // <idle xmlns="urn:organism:server:v1"><thread>3f1c…</thread></idle>
 * if (root.namespaceUri === SERVER_NS && root.name === 'idle') done();
 */
export const SERVER_NS = 'urn:organism:server:v1';

const open = (name: string) => `<${name} xmlns="${SERVER_NS}">`;

/** First frame on an authenticated connection: the identity the server gave it. */
export function welcomeFrame(identity: string, organism: string): string {
  return `${open('welcome')}<identity>${escapeXmlText(identity)}</identity><organism>${escapeXmlText(organism)}</organism></welcome>`;
}

/** The organism accepted a frame; its messages travel on `thread`. */
export function acceptedFrame(thread: string): string {
  return `${open('accepted')}<thread>${escapeXmlText(thread)}</thread></accepted>`;
}

/** Nothing is queued or running on `thread` any more: every reply to the client's frames was sent. */
export function idleFrame(thread: string): string {
  return `${open('idle')}<thread>${escapeXmlText(thread)}</thread></idle>`;
}

/** A frame was not accepted: a stable code, what to do, and the thread when known. */
export function errorFrame(code: string, message: string, thread?: string): string {
  const threadXml = thread === undefined ? '' : `<thread>${escapeXmlText(thread)}</thread>`;
  return `${open('error')}<code>${escapeXmlText(code)}</code><message>${escapeXmlText(message)}</message>${threadXml}</error>`;
}
