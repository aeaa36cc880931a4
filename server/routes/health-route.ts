import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../server-context.js';

/** GET /health (liveness and what is loaded, speech models included), /ready (accepting work), /metrics (Prometheus). */
export function registerHealthRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const started = Date.now();
  app.get('/health', async () => {
    const { primary, secondPass, secondPassCombine, providers } = ctx.engine.engine;
    const model = (info: typeof primary) => ({
      id: info.id,
      family: info.family,
      mode: info.mode,
      provider: info.provider,
      lookaheads: info.lookaheads,
      decoders: info.decoders,
    });
    return {
      status: ctx.shuttingDown() ? 'shutting-down' : 'ok',
      uptime_seconds: Math.round((Date.now() - started) / 1000),
      sessions: ctx.connections.size,
      engine_workers: ctx.engine.workerCount,
      models: secondPass ? [model(primary), model(secondPass)] : [model(primary)],
      ...(secondPass && { second_pass_combine: secondPassCombine }),
      providers,
      tts: {
        models: (ctx.tts?.models ?? []).map((m) => ({
          id: m.id,
          family: m.family,
          provider: m.provider,
          voices: m.voices,
        })),
        active: ctx.tts?.active ?? 0,
        waiting: ctx.tts?.waiting ?? 0,
      },
    };
  });
  app.get('/ready', async (_request, reply) => {
    const ready = !ctx.shuttingDown() && ctx.connections.size < ctx.limits.maxConnections;
    reply.code(ready ? 200 : 503);
    return { ready };
  });
  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', ctx.metrics.registry.contentType);
    return ctx.metrics.registry.metrics();
  });
}
