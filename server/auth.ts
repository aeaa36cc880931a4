/**
 * Optional API keys. Accepted from `Authorization: Bearer <key>` or `Token <key>`, from
 * `?token=` (browsers cannot set WebSocket headers), or from the WebSocket subprotocol
 * pair `token, <key>`. Keys are compared in constant time and never logged.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { SpeechError } from '../common/errors.js';

export interface AuthConfig {
  /** Accepted keys; empty = no authentication. */
  readonly apiKeys: readonly string[];
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Constant-time membership: hashing first makes the comparison length-independent. */
export function keyMatches(candidate: string, keys: readonly string[]): boolean {
  const c = digest(candidate);
  let ok = false;
  for (const key of keys) ok = timingSafeEqual(c, digest(key)) || ok;
  return ok;
}

export function presentedKey(request: FastifyRequest): string | undefined {
  const auth = request.headers.authorization;
  if (typeof auth === 'string') {
    const m = /^(?:Bearer|Token)\s+(.+)$/i.exec(auth.trim());
    if (m) return m[1];
  }
  const query = request.query as Record<string, unknown> | undefined;
  if (typeof query?.token === 'string') return query.token;
  const protocols = request.headers['sec-websocket-protocol'];
  if (typeof protocols === 'string') {
    const parts = protocols.split(',').map((p) => p.trim());
    const i = parts.indexOf('token');
    if (i >= 0 && parts[i + 1]) return parts[i + 1];
  }
  return undefined;
}

export function requireApiKey(request: FastifyRequest, ctx: { readonly auth: AuthConfig }): void {
  if (ctx.auth.apiKeys.length === 0) return;
  const key = presentedKey(request);
  if (key === undefined || !keyMatches(key, ctx.auth.apiKeys)) {
    throw new SpeechError('AUTH_UNAUTHORIZED', 'missing or invalid API key');
  }
}
