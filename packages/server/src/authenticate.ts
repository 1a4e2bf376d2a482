import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { OrganismError } from '@organism/xml';

/** Who a token lets in: a fixed name, or `undefined` for the shared token (the server names the client). */
export interface Admission {
  readonly name?: string;
}

export interface Authenticator {
  /** The admission a token grants, or `undefined` when it grants none. */
  admit(token: string | undefined): Admission | undefined;
}

/** The token of an upgrade request: `Authorization: Bearer <token>`, else the `token` query parameter. */
export function tokenOf(request: IncomingMessage): string | undefined {
  if (request.headers.authorization !== undefined) return bearerOf(request);
  const query = new URL(request.url ?? '/', 'http://localhost').searchParams.get('token');
  return query === null || query === '' ? undefined : query;
}

/** The token of `Authorization: Bearer <token>` only (a token in a URL ends up in access logs). */
export function bearerOf(request: IncomingMessage): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  return match ? match[1] : undefined;
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * Compare tokens in constant time (digests of equal length), checking every configured token so
 * the time taken does not tell which one came close.
 */
export function createAuthenticator(shared: string | undefined, named: Readonly<Record<string, string>> = {}): Authenticator {
  const entries: { digest: Buffer; admission: Admission }[] = [];
  if (shared !== undefined) {
    if (shared === '') throw new OrganismError('ORG_ERR_CONFIG', 'the server token is empty: set a non-empty token (ORGANISM_TOKEN or organism.token)');
    entries.push({ digest: digest(shared), admission: {} });
  }
  for (const [token, name] of Object.entries(named)) {
    if (token === '') throw new OrganismError('ORG_ERR_CONFIG', `the token of client "${name}" is empty`);
    entries.push({ digest: digest(token), admission: { name } });
  }
  if (entries.length === 0) {
    throw new OrganismError(
      'ORG_ERR_CONFIG',
      'the server needs a token: set ORGANISM_TOKEN or organism.token in organism.yaml (or pass token/clients to startServer)',
    );
  }
  return {
    admit(token) {
      if (token === undefined) return undefined;
      const presented = digest(token);
      let found: Admission | undefined;
      for (const entry of entries) {
        if (timingSafeEqual(entry.digest, presented) && found === undefined) found = entry.admission;
      }
      return found;
    },
  };
}
