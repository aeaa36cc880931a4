import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../server-context.js';

/** GET /v1/models, OpenAI's shape plus each model's task, family and provider. */
export function registerModelsRoute(app: FastifyInstance, ctx: ServerContext): void {
  const created = Math.floor(Date.now() / 1000);
  app.get('/v1/models', async () => {
    const { primary, secondPass } = ctx.engine.engine;
    const models = secondPass ? [primary, secondPass] : [primary];
    return {
      object: 'list',
      data: models.map((m) => ({
        id: m.id,
        object: 'model',
        created,
        owned_by: 'speechstream',
        task: 'asr',
        family: m.family,
        mode: m.mode,
        provider: m.provider,
      })),
    };
  });
}
