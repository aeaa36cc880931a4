/**
 * The in-process server the live benchmarks (load, soak, isolation) measure: the engine in
 * its worker thread as in production, the app on a loopback port, no keys, no CORS. Each
 * bench passes the limits it needs on top of these defaults.
 */
import { type App, buildApp } from '../../server/app.js';
import { AUTO_BATCHING, EnginePool } from '../../server/engine/engine-pool.js';
import type { ServerLimits } from '../../server/server-context.js';
import { TtsClient } from '../../server/tts/tts-client.js';

export interface BenchServerOptions {
  readonly model: string;
  readonly threads?: number;
  readonly maxBatch?: number;
  /** How long a ready stream may wait for others to join its batch (default: the server's CPU auto). */
  readonly maxWaitMs?: number;
  /** ASR engine worker threads (default 1). */
  readonly workers?: number;
  readonly limits?: Partial<ServerLimits>;
  /** TTS model directories served by POST /v1/audio/speech (none: TTS off). */
  readonly ttsModels?: readonly string[];
}

export interface BenchServer {
  readonly app: App;
  /** ws://127.0.0.1:PORT */
  readonly url: string;
  /** The loaded primary model's id. */
  readonly model: string;
}

export async function startBenchServer(options: BenchServerOptions): Promise<BenchServer> {
  const engine = await EnginePool.start({
    workers: options.workers ?? 1,
    model: options.model,
    provider: 'cpu',
    threads: options.threads ?? 1,
    maxBatch: options.maxBatch ?? AUTO_BATCHING.cpu.maxBatch,
    maxWaitMs: options.maxWaitMs ?? AUTO_BATCHING.cpu.maxWaitMs,
  });
  const tts =
    options.ttsModels && options.ttsModels.length > 0
      ? await TtsClient.start({
          models: options.ttsModels,
          provider: 'cpu',
          threads: 1,
          concurrency: 4,
          queue: 64,
        })
      : undefined;
  const app = await buildApp({
    engine,
    tts,
    limits: {
      maxFrameBytes: 64 * 1024,
      idleTimeoutMs: 10_000,
      maxSessionSeconds: 3600,
      maxConnections: 1000,
      maxSendBufferBytes: 4 * 1024 * 1024,
      maxUploadBytes: 8 * 1024 * 1024,
      ...options.limits,
    },
    auth: { apiKeys: [] },
    corsOrigins: [],
  });
  const address = await app.fastify.listen({ host: '127.0.0.1', port: 0 });
  return { app, url: address.replace(/^http/, 'ws'), model: engine.engine.primary.id };
}
