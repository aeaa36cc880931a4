/**
 * `POST /v1/audio/speech` and `GET /v1/audio/voices`: OpenAI's JSON request (validated on
 * arrival), the model and voice names we answer to, and the SSE events of
 * `stream_format: "sse"`. Extension fields are marked.
 */
import { z } from 'zod';
import { SpeechError } from '../../common/errors.js';
import type { TtsModelInfo } from '../tts/tts-protocol.js';
import { formatZodError } from './zod-errors.js';

/** OpenAI model names a client may send; each means "the default speech model". */
const OPENAI_MODEL_ALIAS = /^(tts-1(-hd)?(-\d+)?|gpt-4o(-mini)?-tts(-[\w.-]+)?|default)$/;

/**
 * OpenAI's built-in voices. A request naming one gets the model's default voice, so clients
 * written for OpenAI work unchanged; a model voice of the same name would win.
 */
export const OPENAI_VOICES: readonly string[] = [
  'alloy',
  'ash',
  'ballad',
  'coral',
  'echo',
  'fable',
  'onyx',
  'nova',
  'sage',
  'shimmer',
  'verse',
  'marin',
  'cedar',
];

export const speechFormats = ['mp3', 'opus', 'aac', 'flac', 'wav', 'pcm'] as const;
export type SpeechFormat = (typeof speechFormats)[number];

/** OpenAI SDKs may send null for a field they leave unset: it means absent. */
const absentIfNull = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === null ? undefined : v), schema);

/**
 * The request body. `input` is checked here only for type; its length and content get
 * their own codes (parseSpeechBody). Unknown fields are ignored, so newer SDKs keep working.
 */
export const speechBodySchema = z
  .object({
    model: absentIfNull(z.string().min(1).max(200).optional()),
    input: z.string(),
    voice: absentIfNull(z.string().min(1).max(200).optional()),
    response_format: absentIfNull(z.enum(speechFormats).default('mp3')),
    speed: absentIfNull(z.number().min(0.25).max(4).default(1)),
    stream_format: absentIfNull(z.enum(['audio', 'sse']).default('audio')),
    /** Accepted for compatibility and ignored: our models take no style prompt. */
    instructions: absentIfNull(z.string().max(16_384).optional()),
    /** Extension: sampling seed; the same text, voice and seed give the same audio. */
    seed: absentIfNull(z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional()),
  })
  .loose();

export type SpeechBody = z.infer<typeof speechBodySchema>;

/** Unicode code points: what a user calls characters (an emoji is one, not two). */
export function countChars(text: string, stopAfter = Number.POSITIVE_INFINITY): number {
  let n = 0;
  for (const _ of text) if (++n > stopAfter) break;
  return n;
}

/**
 * The body, or a coded 4xx: PROTOCOL_BAD_PARAMS naming each bad field, TTS_INPUT_INVALID
 * for blank input, LIMIT_TEXT_TOO_LONG beyond `maxChars` characters.
 */
export function parseSpeechBody(raw: unknown, maxChars: number): SpeechBody {
  if (raw === undefined || raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new SpeechError(
      'PROTOCOL_BAD_PARAMS',
      'the request body must be a JSON object like {"input": "Hello", "voice": "alloy"}',
    );
  }
  const parsed = speechBodySchema.safeParse(raw);
  if (!parsed.success) {
    throw new SpeechError('PROTOCOL_BAD_PARAMS', formatZodError(parsed.error, 'body'), {
      issues: parsed.error.issues.slice(0, 20).map((i) => ({ path: i.path.join('.'), message: i.message })),
    });
  }
  const body = parsed.data;
  if (body.input.trim() === '') {
    throw new SpeechError('TTS_INPUT_INVALID', 'input is empty: give the text to speak', { param: 'input' });
  }
  if (body.input.length > maxChars && countChars(body.input, maxChars) > maxChars) {
    throw new SpeechError(
      'LIMIT_TEXT_TOO_LONG',
      `input is longer than ${maxChars} characters; split the text into several requests`,
      { param: 'input', maxChars },
    );
  }
  return body;
}

export interface SpeechTarget {
  readonly model: TtsModelInfo;
  readonly voice: string;
}

/**
 * Which loaded model and voice a request means. `model` absent or an OpenAI name: the
 * default model (the first), unless `voice` is a voice only another model has. `voice`
 * absent or an OpenAI voice name: that model's default voice. Errors: MODEL_NOT_FOUND
 * (nothing loaded, or an unknown model), TTS_VOICE_UNKNOWN listing the voices there are.
 */
export function resolveSpeechTarget(
  request: { readonly model?: string; readonly voice?: string },
  models: readonly TtsModelInfo[],
): SpeechTarget {
  if (models.length === 0) {
    throw new SpeechError(
      'MODEL_NOT_FOUND',
      'text-to-speech is off: no speech model is loaded (install models/embedded/tts-ardit or pass --tts-model DIR)',
      { param: 'model' },
    );
  }
  const named = request.model !== undefined && !OPENAI_MODEL_ALIAS.test(request.model);
  const chosen = named ? models.find((m) => m.id === request.model) : undefined;
  if (named && chosen === undefined) {
    throw new SpeechError('MODEL_NOT_FOUND', `model '${request.model}' is not a loaded speech model`, {
      param: 'model',
      models: models.map((m) => m.id),
    });
  }
  const voice = request.voice;
  const fallback = chosen ?? models[0]!;
  if (voice === undefined) return { model: fallback, voice: fallback.defaultVoice };
  const owner =
    chosen !== undefined || fallback.voices.includes(voice)
      ? fallback
      : models.find((m) => m.voices.includes(voice));
  if (owner?.voices.includes(voice)) return { model: owner, voice };
  if (OPENAI_VOICES.includes(voice)) return { model: fallback, voice: fallback.defaultVoice };
  const offered = chosen === undefined ? models.flatMap((m) => m.voices) : [...chosen.voices];
  throw new SpeechError(
    'TTS_VOICE_UNKNOWN',
    `unknown voice '${voice}'${chosen === undefined ? '' : ` for model ${chosen.id}`}; voices: ${[...new Set(offered)].join(', ')} (or an OpenAI voice name, which means the default voice)`,
    { param: 'voice', voices: [...new Set(offered)] },
  );
}

/** Token counts of the done event: characters in, 20 ms audio frames out. */
export interface SpeechUsage {
  readonly input_tokens: number;
  readonly output_tokens: number;
  readonly total_tokens: number;
}

/** Our models read characters and make 20 ms mel frames: those are the tokens we report. */
export function speechUsage(inputChars: number, samples: number, sampleRate: number): SpeechUsage {
  const frames = Math.ceil(samples / (sampleRate * 0.02));
  return { input_tokens: inputChars, output_tokens: frames, total_tokens: inputChars + frames };
}

/** `stream_format: "sse"` events, as OpenAI names them. */
export const speechAudioDeltaSchema = z.object({
  type: z.literal('speech.audio.delta'),
  /** Base64 of the next bytes of audio in the response format (s16le for wav and pcm). */
  audio: z.string(),
});
export const speechAudioDoneSchema = z.object({
  type: z.literal('speech.audio.done'),
  usage: z.object({ input_tokens: z.number(), output_tokens: z.number(), total_tokens: z.number() }),
});
export const speechErrorEventSchema = z.object({
  type: z.literal('error'),
  error: z.object({ code: z.string(), message: z.string() }).loose(),
});
export const speechSseEventSchema = z.discriminatedUnion('type', [
  speechAudioDeltaSchema,
  speechAudioDoneSchema,
  speechErrorEventSchema,
]);
export type SpeechSseEvent = z.infer<typeof speechSseEventSchema>;

/** One Server-Sent Event carrying a JSON payload (OpenAI sends data-only events). */
export function speechEvent(event: SpeechSseEvent): string {
  return `data: ${JSON.stringify(event)}\n\n`;
}

/** One entry of GET /v1/audio/voices. */
export interface VoiceListing {
  readonly id: string;
  readonly name: string;
  readonly model: string;
  readonly family: string;
  /** The voice a request naming neither model nor voice gets (exactly one is). */
  readonly default: boolean;
}

export function voiceListing(models: readonly TtsModelInfo[]): VoiceListing[] {
  return models.flatMap((m, i) =>
    m.voices.map((v) => ({
      id: v,
      name: v,
      model: m.id,
      family: m.family,
      default: i === 0 && v === m.defaultVoice,
    })),
  );
}
