/**
 * What every route handler gets: the engine, the TTS client, the effective limits,
 * metrics, the connection registry and the logger. Built once by buildApp().
 */
import type { FastifyBaseLogger } from 'fastify';
import type { AuthConfig } from './auth.js';
import type { LiveEngine } from './engine/engine-pool.js';
import type { ServerMetrics } from './metrics.js';
import type { TtsClient } from './tts/tts-client.js';

/** Longest speech input when the limits do not say (OpenAI's limit; config ttsMaxChars). */
export const DEFAULT_TTS_MAX_CHARS = 4096;

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
  /** Longest text one speech request may carry (characters); default DEFAULT_TTS_MAX_CHARS. */
  readonly ttsMaxChars?: number;
}

export interface ServerContext {
  readonly engine: LiveEngine;
  /** The speech models' worker; undefined when text-to-speech is off (no model loaded). */
  readonly tts: TtsClient | undefined;
  readonly limits: ServerLimits;
  readonly auth: AuthConfig;
  readonly metrics: ServerMetrics;
  readonly log: FastifyBaseLogger;
  /** Live connections; shutdown drains each (last finals delivered) before closing it. */
  readonly connections: Set<{ drain(timeoutMs: number): Promise<void> }>;
  /**
   * Speech responses being sent. Kept apart from `connections`, whose size is the live
   * session limit; shutdown drains both.
   */
  readonly speeches: Set<{ drain(timeoutMs: number): Promise<void> }>;
  /** True once shutdown began: new work is refused. */
  readonly shuttingDown: () => boolean;
}
