/**
 * WebSocket close codes the server uses; each close also carries a readable reason.
 *
 * @example
 * ws.on('close', (code, reason) => {
 *   if (code === CloseCodes.UNAUTHORIZED) console.error(`refused: ${reason}`);
 * });
 */
export const CloseCodes = {
  /** The server is shutting down; every accepted message was answered first. */
  GOING_AWAY: 1001,
  /** Repeated unreadable frames, or a client that does not read what it is sent. */
  POLICY_VIOLATION: 1008,
  /** A frame larger than `maxFrameBytes` (sent by the ws library itself). */
  MESSAGE_TOO_BIG: 1009,
  /** No token, or a wrong one. */
  UNAUTHORIZED: 4401,
  /** A named identity (a token mapped to a name) is already connected. */
  IDENTITY_IN_USE: 4409,
  /** Repeated rate-limit or in-flight violations. */
  TOO_MANY_FRAMES: 4429,
} as const;
