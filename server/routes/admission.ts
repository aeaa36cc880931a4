import type { FastifyReply } from 'fastify';
import { SpeechError } from '../../common/errors.js';
import type { ServerContext } from '../server-context.js';

/** Seconds a refused client is told to wait before retrying. */
const RETRY_AFTER_SECONDS = 5;

/** Refuses a new live session at the connection limit or during shutdown (503 + Retry-After). */
export function admitConnection(ctx: ServerContext, reply: FastifyReply): void {
  if (ctx.shuttingDown()) {
    reply.header('Retry-After', String(RETRY_AFTER_SECONDS));
    throw new SpeechError('SERVER_SHUTTING_DOWN', 'the server is shutting down');
  }
  if (ctx.connections.size >= ctx.limits.maxConnections) {
    ctx.metrics.rejectedConnections.inc();
    reply.header('Retry-After', String(RETRY_AFTER_SECONDS));
    throw new SpeechError(
      'LIMIT_TOO_MANY_CONNECTIONS',
      `the server is at its limit of ${ctx.limits.maxConnections} live sessions`,
    );
  }
}
