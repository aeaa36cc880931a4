/**
 * What every route handler gets: the engine, the effective limits, metrics, the
 * connection registry and the logger. Built once by buildApp().
 */
import type { FastifyBaseLogger } from 'fastify';
import type { AuthConfig } from './auth.js';
import type { EngineClient } from './engine/engine-client.js';
import type { ServerMetrics } from './metrics.js';

export interface ServerLimits {
  /** Largest binary frame accepted (bytes). */
  readonly maxFrameBytes: number;
  /** Close a live session after this long without audio or KeepAlive. */
  readonly idleTimeoutMs: number;
  /** Most audio one live session may send (seconds). */
  readonly maxSessionSeconds: number;
  /** Live sessions open at once; more are answered 503 with Retry-After. */
  readonly maxConnections: number;
  /** Bytes queued to a client that does not read before it is cut off. */
  readonly maxSendBufferBytes: number;
  /** Largest upload to /v1/audio/transcriptions (bytes). */
  readonly maxUploadBytes: number;
}

export interface ServerContext {
  readonly engine: EngineClient;
  readonly limits: ServerLimits;
  readonly auth: AuthConfig;
  readonly metrics: ServerMetrics;
  readonly log: FastifyBaseLogger;
  /** Live connections; shutdown drains each (last finals delivered) before closing it. */
  readonly connections: Set<{ drain(timeoutMs: number): Promise<void> }>;
  /** True once shutdown began: new work is refused. */
  readonly shuttingDown: () => boolean;
}
