import type { FastifyInstance } from 'fastify';
import { OPENAI_VOICES, voiceListing } from '../protocol/speech-protocol.js';
import type { ServerContext } from '../server-context.js';

/**
 * GET /v1/audio/voices: every voice of every loaded speech model (exactly one marked
 * `default`: what a request naming neither model nor voice gets), the models, and the
 * OpenAI voice names that are accepted as aliases of a model's default voice. Empty lists
 * when text-to-speech is off.
 */
export function registerVoicesRoute(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/v1/audio/voices', async () => {
    const models = ctx.tts?.models ?? [];
    return {
      voices: voiceListing(models),
      models: models.map((m) => ({
        id: m.id,
        family: m.family,
        provider: m.provider,
        sample_rate: m.sampleRate,
        voices: m.voices,
        default_voice: m.defaultVoice,
      })),
      openai_voice_aliases: OPENAI_VOICES,
    };
  });
}
