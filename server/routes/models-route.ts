import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../server-context.js';

/**
 * GET /v1/models, OpenAI's shape plus each model's task, family and provider: the ASR
 * models the engine loaded, then the speech models the TTS worker loaded (with voices).
 */
export function registerModelsRoute(app: FastifyInstance, ctx: ServerContext): void {
  const created = Math.floor(Date.now() / 1000);
  app.get('/v1/models', async () => {
    const { primary, secondPass } = ctx.engine.engine;
    const models = secondPass ? [primary, secondPass] : [primary];
    const speech = ctx.tts?.models ?? [];
    return {
      object: 'list',
      data: [
        ...models.map((m) => ({
          id: m.id,
          object: 'model',
          created,
          owned_by: 'speechstream',
          task: 'asr',
          family: m.family,
          mode: m.mode,
          provider: m.provider,
        })),
        ...speech.map((m) => ({
          id: m.id,
          object: 'model',
          created,
          owned_by: 'speechstream',
          task: 'tts',
          family: m.family,
          provider: m.provider,
          sample_rate: m.sampleRate,
          voices: m.voices,
          default_voice: m.defaultVoice,
        })),
      ],
    };
  });
}
