/**
 * Starts the server from the effective configuration: the engine worker (models), the
 * app, the listener; logs one line saying where it listens; drains on SIGINT/SIGTERM.
 */
import { readFileSync } from 'node:fs';
import pino from 'pino';
import type { StreamingDecoderChoice } from '../asr/recognizer.js';
import { SpeechError } from '../common/errors.js';
import { type App, buildApp } from './app.js';
import type { Config } from './config.js';
import { EngineClient } from './engine/engine-client.js';

export interface ServerStartOptions {
  readonly model: string;
  readonly secondPassModel?: string;
  readonly decoder?: StreamingDecoderChoice;
}

export interface RunningServer {
  readonly app: App;
  readonly url: string;
  stop(): Promise<void>;
}

export async function startServer(config: Config, models: ServerStartOptions): Promise<RunningServer> {
  const logger = pino({ level: config.logLevel });
  const engine = await EngineClient.start({
    model: models.model,
    secondPassModel: models.secondPassModel,
    decoder: models.decoder,
    provider: config.provider,
    threads: config.threads,
    maxBatch: config.maxBatch,
    maxWaitMs: config.maxWaitMs,
  });
  let https: { key: Buffer; cert: Buffer } | undefined;
  if (config.tlsCert || config.tlsKey) {
    if (!config.tlsCert || !config.tlsKey) {
      await engine.stop();
      throw new SpeechError('CONFIG_INVALID', 'TLS needs both --tls-cert and --tls-key');
    }
    https = { cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey) };
  }
  const app = await buildApp({
    engine,
    limits: {
      maxFrameBytes: config.maxFrameBytes,
      idleTimeoutMs: config.idleTimeoutMs,
      maxSessionSeconds: config.maxSessionSeconds,
      maxConnections: config.maxConnections,
      maxSendBufferBytes: config.maxSendBufferBytes,
      maxUploadBytes: config.maxUploadBytes,
    },
    auth: { apiKeys: config.apiKeys },
    corsOrigins: config.corsOrigins,
    logger,
    https,
  });
  const primary = engine.engine.primary;
  const describeModel = `model ${primary.id}, provider ${primary.provider}`;
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
  const address = app.fastify.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const url = `${https ? 'https' : 'http'}://${config.host}:${port}`;
  return { app, url, stop: () => app.shutdown() };
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
