/**
 * Builds the HTTP/WebSocket application around a started engine. Building and starting
 * are separate (as fastify does) so tests drive the app in-process on port 0.
 */
import cors from '@fastify/cors';
import multipart from '@fastify/multipart';
import websocket from '@fastify/websocket';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyServerOptions,
  LogController,
} from 'fastify';
import { SpeechError, toSpeechError } from '../common/errors.js';
import { type AuthConfig, requireApiKey } from './auth.js';
import type { LiveEngine } from './engine/engine-pool.js';
import { ServerMetrics } from './metrics.js';
import { registerDemoRoutes } from './routes/demo-route.js';
import { registerHealthRoutes } from './routes/health-route.js';
import { registerListenRoute } from './routes/listen-route.js';
import { registerModelsRoute } from './routes/models-route.js';
import { registerRealtimeRoute } from './routes/realtime-route.js';
import { registerSpeechRoute, SPEECH_HEADERS } from './routes/speech-route.js';
import { registerTranscriptionsRoute } from './routes/transcriptions-route.js';
import { registerVoicesRoute } from './routes/voices-route.js';
import type { ServerContext, ServerLimits } from './server-context.js';
import type { TtsClient } from './tts/tts-client.js';

export interface AppOptions {
  /** One engine worker (EngineClient) or several (EnginePool). */
  readonly engine: LiveEngine;
  /** The TTS worker; absent = text-to-speech off (speech requests get MODEL_NOT_FOUND). */
  readonly tts?: TtsClient;
  readonly limits: ServerLimits;
  readonly auth: AuthConfig;
  /** Allowed CORS origins; empty = no CORS headers (same-origin only). '*' allows any. */
  readonly corsOrigins: readonly string[];
  /** A pino logger (the server logs through it); default: no logging. */
  readonly logger?: FastifyBaseLogger;
  readonly https?: { readonly key: Buffer; readonly cert: Buffer };
  /** How long shutdown waits for live sessions to deliver their last finals. */
  readonly drainTimeoutMs?: number;
}

export interface App {
  readonly fastify: FastifyInstance;
  readonly context: ServerContext;
  /** Stop accepting, flush finals, finish speech, close sessions, the engine and TTS. Idempotent. */
  shutdown(): Promise<void>;
}

/**
 * Where an API key can sit in something a plugin logs: request headers (Authorization, the
 * `token, <key>` WebSocket subprotocol), e.g. @fastify/multipart's trace line with its
 * busboy options. Censored whatever the log level.
 */
const REDACTED_PATHS = [
  'headers.authorization',
  'headers["sec-websocket-protocol"]',
  '*.headers.authorization',
  '*.headers["sec-websocket-protocol"]',
];

export async function buildApp(options: AppOptions): Promise<App> {
  const logger = options.logger?.child({}, { redact: { paths: REDACTED_PATHS, censor: '[redacted]' } });
  const fastify = Fastify({
    ...(logger ? { loggerInstance: logger } : { logger: false }),
    // Errors are logged by the error handler; a line per request would drown them.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.limits.maxUploadBytes,
    ...(options.https ? { https: options.https } : {}),
  } as FastifyServerOptions);
  let shuttingDown = false;
  const metrics = new ServerMetrics();
  const context: ServerContext = {
    engine: options.engine,
    tts: options.tts,
    limits: options.limits,
    auth: options.auth,
    metrics,
    log: fastify.log,
    connections: new Set(),
    speeches: new Set(),
    shuttingDown: () => shuttingDown,
  };

  fastify.setErrorHandler((error: unknown, request, reply) => {
    const e = error as { validation?: unknown; statusCode?: number; message?: string };
    const coded =
      error instanceof SpeechError
        ? error
        : e.validation !== undefined
          ? new SpeechError('PROTOCOL_BAD_PARAMS', String(e.message))
          : e.statusCode === 413
            ? new SpeechError('LIMIT_FRAME_TOO_LARGE', String(e.message))
            : e.statusCode !== undefined && e.statusCode < 500
              ? new SpeechError('PROTOCOL_BAD_PARAMS', String(e.message))
              : toSpeechError(error);
    metrics.errors.inc({ code: coded.code });
    if (coded.httpStatus >= 500) request.log.error({ err: error }, 'request failed');
    reply.code(coded.httpStatus).send({ error: coded.toJSON() });
  });
  fastify.setNotFoundHandler((request, reply) => {
    reply
      .code(404)
      .send({ error: { code: 'NOT_FOUND', message: `no route ${request.method} ${request.url}` } });
  });

  await fastify.register(websocket, {
    options: {
      // Our own frame limit answers with a coded Error; ws's hard cap sits above it.
      maxPayload: options.limits.maxFrameBytes * 2 + 1024 * 1024,
      // Browsers pass the API key as the subprotocol pair `token, <key>`: accept 'token'.
      handleProtocols: (protocols: Set<string>) => (protocols.has('token') ? 'token' : false),
    },
  });
  // CORS before the key check: a browser's preflight carries no key (it must get its 204),
  // and a refusal must carry the CORS headers or the page cannot read why it was refused.
  if (options.corsOrigins.length > 0) {
    await fastify.register(cors, {
      origin: options.corsOrigins.includes('*') ? true : [...options.corsOrigins],
      // A page playing raw pcm needs X-Sample-Rate; the others say what spoke.
      exposedHeaders: [...SPEECH_HEADERS],
    });
  }
  // Every API route needs the key when keys are configured; health, readiness, metrics
  // and the demo page stay open.
  fastify.addHook('onRequest', async (request) => {
    if (request.url.startsWith('/v1/')) requireApiKey(request, context);
  });
  await fastify.register(multipart, { limits: { fileSize: options.limits.maxUploadBytes, files: 1 } });

  options.engine.onBatch = (stats) => metrics.observeBatch(stats);
  const tts = options.tts;
  if (tts !== undefined) metrics.watchTts(() => ({ active: tts.active, waiting: tts.waiting }));
  registerHealthRoutes(fastify, context);
  registerModelsRoute(fastify, context);
  registerListenRoute(fastify, context);
  registerRealtimeRoute(fastify, context);
  registerTranscriptionsRoute(fastify, context);
  registerSpeechRoute(fastify, context);
  registerVoicesRoute(fastify, context);
  registerDemoRoutes(fastify);

  let stopping: Promise<void> | undefined;
  return {
    fastify,
    context,
    shutdown() {
      stopping ??= (async () => {
        shuttingDown = true;
        const drainMs = options.drainTimeoutMs ?? 5000;
        await Promise.allSettled([...context.connections, ...context.speeches].map((c) => c.drain(drainMs)));
        await fastify.close();
        await Promise.all([options.engine.stop(), options.tts?.stop()]);
      })();
      return stopping;
    },
  };
}
