/**
 * Starts the server from the effective configuration: the engine worker (ASR models) and
 * the TTS worker (speech models) side by side, the app, the listener; logs one line saying
 * where it listens and one saying what speaks; drains on SIGINT/SIGTERM.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import pino from 'pino';
import type { SecondPassCombineSetting } from '../asr/engine.js';
import type { StreamingDecoderChoice } from '../asr/recognizer.js';
import { SpeechError } from '../common/errors.js';
import { type App, buildApp } from './app.js';
import type { Config } from './config.js';
import { EnginePool, resolveBatching, resolveEngineWorkers } from './engine/engine-pool.js';
import { TtsClient } from './tts/tts-client.js';

export interface ServerStartOptions {
  readonly model: string;
  readonly secondPassModel?: string;
  readonly decoder?: StreamingDecoderChoice;
  /** How 2-pass finals are made (default 'auto': the streaming model's manifest). */
  readonly secondPassCombine?: SecondPassCombineSetting;
  /** Speech model directories (resolveTtsModelDirs); empty = text-to-speech off. */
  readonly ttsModels?: readonly string[];
  /** Where a speech model's vocoder is looked up (--models-dir). */
  readonly searchDirs?: readonly string[];
}

export interface RunningServer {
  readonly app: App;
  readonly url: string;
  stop(): Promise<void>;
}

export async function startServer(config: Config, models: ServerStartOptions): Promise<RunningServer> {
  const logger = pino({ level: config.logLevel });
  const ttsModels = models.ttsModels ?? [];
  // Both workers load at once; if either fails the other is stopped before the error leaves.
  const batching = resolveBatching(config.maxBatch, config.maxWaitMs, config.provider);
  const [engineStart, ttsStart] = await Promise.allSettled([
    EnginePool.start({
      workers: resolveEngineWorkers(config.engineWorkers, config.provider, availableParallelism()),
      model: models.model,
      secondPassModel: models.secondPassModel,
      decoder: models.decoder,
      secondPassCombine: models.secondPassCombine,
      provider: config.provider,
      threads: config.threads,
      ...batching,
    }),
    ttsModels.length === 0
      ? Promise.resolve(undefined)
      : TtsClient.start({
          models: ttsModels,
          searchDirs: models.searchDirs,
          provider: config.provider,
          threads: config.ttsThreads,
          concurrency: config.ttsConcurrency,
          queue: config.ttsQueue,
        }),
  ]);
  if (engineStart.status === 'rejected' || ttsStart.status === 'rejected') {
    if (engineStart.status === 'fulfilled') await engineStart.value.stop();
    if (ttsStart.status === 'fulfilled') await ttsStart.value?.stop();
    throw engineStart.status === 'rejected' ? engineStart.reason : (ttsStart as PromiseRejectedResult).reason;
  }
  const engine = engineStart.value;
  const tts = ttsStart.value;
  let https: { key: Buffer; cert: Buffer } | undefined;
  if (config.tlsCert || config.tlsKey) {
    if (!config.tlsCert || !config.tlsKey) {
      await Promise.all([engine.stop(), tts?.stop()]);
      throw new SpeechError('CONFIG_INVALID', 'TLS needs both --tls-cert and --tls-key');
    }
    https = { cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey) };
  }
  const app = await buildApp({
    engine,
    tts,
    limits: {
      maxFrameBytes: config.maxFrameBytes,
      idleTimeoutMs: config.idleTimeoutMs,
      maxSessionSeconds: config.maxSessionSeconds,
      maxConnections: config.maxConnections,
      maxSendBufferBytes: config.maxSendBufferBytes,
      maxUploadBytes: config.maxUploadBytes,
      ttsMaxChars: config.ttsMaxChars,
    },
    auth: { apiKeys: config.apiKeys },
    corsOrigins: config.corsOrigins,
    logger,
    https,
  });
  const primary = engine.engine.primary;
  const workers = engine.workerCount;
  const describeModel = `model ${primary.id}, provider ${primary.provider}, ${workers} engine worker${workers === 1 ? '' : 's'}, batches of up to ${batching.maxBatch} within ${batching.maxWaitMs} ms`;
  try {
    // The one start-up line: where it listens, with what.
    await app.fastify.listen({
      host: config.host,
      port: config.port,
      listenTextResolver: (address) => `speechstream listening on ${address} (${describeModel})`,
    });
  } catch (err) {
    await app.shutdown();
    throw new SpeechError(
      'CONFIG_INVALID',
      `cannot listen on ${config.host}:${config.port}: ${(err as Error).message}`,
    );
  }
  logTts(logger, config, tts);
  const address = app.fastify.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const url = `${https ? 'https' : 'http'}://${config.host}:${port}`;
  return { app, url, stop: () => app.shutdown() };
}

/** The start-up line about text-to-speech: what speaks, or why nothing does. */
function logTts(logger: pino.Logger, config: Config, tts: TtsClient | undefined): void {
  if (tts === undefined) {
    const why =
      config.ttsModel.length === 1 && config.ttsModel[0] === 'none'
        ? 'turned off (ttsModel none)'
        : 'no speech model is installed (models/embedded/tts-ardit, tts-maskgct); pass --tts-model DIR';
    logger.info(`text-to-speech is off: ${why}`);
    return;
  }
  const models = tts.models.map((m) => ({
    id: m.id,
    family: m.family,
    provider: m.provider,
    voices: m.voices,
    defaultVoice: m.defaultVoice,
  }));
  const names = tts.models.map((m) => `${m.id} (${m.family}, ${m.provider}, voices ${m.voices.join('/')})`);
  logger.info({ tts: models }, `text-to-speech: ${names.join('; ')}; default ${tts.defaultModel.id}`);
}

/** Shuts the server down on SIGINT/SIGTERM: finals flushed, sessions and models closed. */
export function stopOnSignals(server: RunningServer, log: (line: string) => void): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: draining live sessions and stopping`);
    void server.stop().then(() => {
      process.exitCode = 0;
    });
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
}
