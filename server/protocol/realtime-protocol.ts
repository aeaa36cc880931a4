/**
 * The transcription subset of OpenAI's Realtime API on `GET /v1/realtime`, in both its
 * beta shape (`transcription_session.update`, `input_audio_format: 'pcm16'`...) and its
 * GA shape (`session.update` with `session.type: 'transcription'`, `audio.input.format`).
 * Every client event is validated against these schemas on arrival; unknown fields are
 * ignored (SDKs send more than we use), unknown event types are errors.
 */
import { z } from 'zod';
import { DEFAULT_ENDPOINT_CONFIG, type EndpointOverrides } from '../../asr/endpoint.js';
import type { RawPcmEncoding } from '../../streaming/audio/raw-pcm.js';
import type { LiveAudioFormat } from '../../streaming/live-audio-input.js';

const bool = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0'])])
  .transform((v) => v === true || v === 'true' || v === '1');

/** Query parameters of the upgrade request (speechstream extensions marked). */
export const realtimeQuerySchema = z
  .object({
    /** Only transcription sessions exist here; absent means transcription too. */
    intent: z.literal('transcription').optional(),
    /** The conversation model a realtime client names; unused by transcription sessions. */
    model: z.string().max(200).optional(),
    /** Extension: encoder lookahead in 80 ms frames. */
    lookahead: z.coerce.number().int().min(0).max(64).optional(),
    /** Extension: which head writes the transcript. */
    decoder: z.enum(['ctc', 'rnnt', 'hybrid']).optional(),
    /** Extension: re-decode each item with the second-pass (offline) model. */
    two_pass: bool.default(false),
    token: z.string().max(500).optional(),
  })
  .loose();

export type RealtimeQuery = z.infer<typeof realtimeQuerySchema>;

// --- session configuration --------------------------------------------------------------

const eventId = z.string().max(200).optional();

const transcriptionSchema = z.object({
  model: z.string().min(1).max(200).optional(),
  language: z.string().max(32).nullish(),
  prompt: z.string().max(10_000).nullish(),
  /** Extension: hotwords for the next items, `phrase` or `phrase:boost`. */
  hotwords: z.array(z.string().min(1).max(200)).max(100).optional(),
});

const turnDetectionSchema = z
  .object({
    type: z.literal('server_vad'),
    threshold: z.number().min(0).max(1).optional(),
    prefix_padding_ms: z.number().int().min(0).max(10_000).optional(),
    silence_duration_ms: z.number().int().min(10).max(60_000).optional(),
  })
  .nullable();

const betaSessionSchema = z.object({
  input_audio_format: z.enum(['pcm16', 'g711_ulaw', 'g711_alaw']).optional(),
  input_audio_transcription: transcriptionSchema.nullish(),
  turn_detection: turnDetectionSchema.optional(),
});

const gaFormatSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('audio/pcm'),
    /** OpenAI accepts 24000 only; any rate is resampled here. */
    rate: z.number().int().min(8000).max(192_000).default(24000),
  }),
  z.object({ type: z.literal('audio/pcmu') }),
  z.object({ type: z.literal('audio/pcma') }),
]);

const gaSessionSchema = z.object({
  type: z.literal('transcription'),
  audio: z
    .object({
      input: z
        .object({
          format: gaFormatSchema.optional(),
          transcription: transcriptionSchema.optional(),
          turn_detection: turnDetectionSchema.optional(),
        })
        .optional(),
    })
    .optional(),
});

/** Every client event; `event_id` is echoed in the error an event causes. */
export const realtimeClientEventSchemas = {
  'transcription_session.update': z.object({ event_id: eventId, session: betaSessionSchema }),
  'session.update': z.object({ event_id: eventId, session: gaSessionSchema }),
  'input_audio_buffer.append': z.object({
    event_id: eventId,
    audio: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'is not base64'),
  }),
  'input_audio_buffer.commit': z.object({ event_id: eventId }),
  'input_audio_buffer.clear': z.object({ event_id: eventId }),
} as const;

export type RealtimeClientEventType = keyof typeof realtimeClientEventSchemas;
export type RealtimeClientEvent<T extends RealtimeClientEventType> = z.infer<
  (typeof realtimeClientEventSchemas)[T]
> & { type: T };

export function isClientEventType(type: string): type is RealtimeClientEventType {
  return Object.hasOwn(realtimeClientEventSchemas, type);
}

/** The envelope every event must have. */
export const eventEnvelopeSchema = z.object({ type: z.string().min(1).max(200), event_id: eventId }).loose();

// --- the effective session --------------------------------------------------------------

export type RealtimeAudioFormat =
  | { readonly type: 'audio/pcm'; readonly rate: number }
  | { readonly type: 'audio/pcmu' }
  | { readonly type: 'audio/pcma' };

export interface TurnDetection {
  readonly type: 'server_vad';
  /** Accepted and reported; our endpointing decides on decoded blanks, not energy. */
  readonly threshold: number;
  /** Moves `audio_start_ms` earlier, as OpenAI does. */
  readonly prefix_padding_ms: number;
  /** Trailing silence after speech that ends (commits) an item: endpoint rule 2. */
  readonly silence_duration_ms: number;
}

export interface RealtimeSessionConfig {
  readonly format: RealtimeAudioFormat;
  readonly transcription: {
    readonly model: string;
    readonly language: string | null;
    readonly prompt: string;
    readonly hotwords?: readonly string[];
  };
  readonly turnDetection: TurnDetection | null;
}

export const DEFAULT_TURN_DETECTION: TurnDetection = {
  type: 'server_vad',
  threshold: 0.5,
  prefix_padding_ms: 300,
  silence_duration_ms: Math.round(DEFAULT_ENDPOINT_CONFIG.rule2.minTrailingSilence * 1000),
};

export function defaultSessionConfig(model: string): RealtimeSessionConfig {
  return {
    format: { type: 'audio/pcm', rate: 24000 },
    transcription: { model, language: null, prompt: '' },
    turnDetection: DEFAULT_TURN_DETECTION,
  };
}

const BETA_FORMATS = { pcm16: 'audio/pcm', g711_ulaw: 'audio/pcmu', g711_alaw: 'audio/pcma' } as const;

/** A client's update (either shape) as a partial configuration. */
export interface SessionUpdate {
  readonly format?: RealtimeAudioFormat;
  readonly transcription?: z.infer<typeof transcriptionSchema> | null;
  /** undefined: unchanged; null: no automatic commits. */
  readonly turnDetection?: z.infer<typeof turnDetectionSchema>;
}

export function betaUpdate(session: z.infer<typeof betaSessionSchema>): SessionUpdate {
  const type = session.input_audio_format && BETA_FORMATS[session.input_audio_format];
  return {
    format: type === undefined ? undefined : type === 'audio/pcm' ? { type, rate: 24000 } : { type },
    transcription: session.input_audio_transcription,
    turnDetection: session.turn_detection,
  };
}

export function gaUpdate(session: z.infer<typeof gaSessionSchema>): SessionUpdate {
  const input = session.audio?.input;
  return {
    format: input?.format,
    transcription: input?.transcription,
    turnDetection: input?.turn_detection,
  };
}

export function applyUpdate(config: RealtimeSessionConfig, update: SessionUpdate): RealtimeSessionConfig {
  const t = update.transcription;
  const td = update.turnDetection;
  return {
    format: update.format ?? config.format,
    transcription:
      t === undefined || t === null
        ? config.transcription
        : {
            model: t.model ?? config.transcription.model,
            language: t.language === undefined ? config.transcription.language : t.language,
            prompt: t.prompt === undefined ? config.transcription.prompt : (t.prompt ?? ''),
            hotwords: t.hotwords ?? config.transcription.hotwords,
          },
    turnDetection:
      td === undefined
        ? config.turnDetection
        : td === null
          ? null
          : {
              type: 'server_vad',
              threshold: td.threshold ?? DEFAULT_TURN_DETECTION.threshold,
              prefix_padding_ms: td.prefix_padding_ms ?? DEFAULT_TURN_DETECTION.prefix_padding_ms,
              silence_duration_ms: td.silence_duration_ms ?? DEFAULT_TURN_DETECTION.silence_duration_ms,
            },
  };
}

/** How client audio of this format reaches LiveAudioInput. */
export function liveFormat(format: RealtimeAudioFormat): LiveAudioFormat {
  const encoding: RawPcmEncoding =
    format.type === 'audio/pcm' ? 'linear16' : format.type === 'audio/pcmu' ? 'mulaw' : 'alaw';
  return { encoding, sampleRate: format.type === 'audio/pcm' ? format.rate : 8000, channels: 1 };
}

/**
 * Turn detection as endpoint rules: server VAD's silence ends an item after speech
 * (rule 2); without turn detection no pause ends an item (rules 1 and 2 off), only the
 * utterance-length cap (rule 3) still does, so a segment cannot grow without bound.
 */
export function endpointFor(turnDetection: TurnDetection | null): EndpointOverrides {
  const { rule1 } = DEFAULT_ENDPOINT_CONFIG;
  if (turnDetection === null) {
    return { rule1: { minTrailingSilence: 1e9 }, rule2: { minTrailingSilence: 1e9 } };
  }
  return {
    rule1: { minTrailingSilence: rule1.minTrailingSilence },
    rule2: { minTrailingSilence: turnDetection.silence_duration_ms / 1000 },
  };
}

// --- server events ----------------------------------------------------------------------

const BETA_FORMAT_NAMES = {
  'audio/pcm': 'pcm16',
  'audio/pcmu': 'g711_ulaw',
  'audio/pcma': 'g711_alaw',
} as const;

/** The beta `transcription_session` object. */
export function betaSession(id: string, config: RealtimeSessionConfig): Record<string, unknown> {
  return {
    id,
    object: 'realtime.transcription_session',
    modalities: ['text'],
    input_audio_format: BETA_FORMAT_NAMES[config.format.type],
    input_audio_transcription: transcriptionView(config),
    turn_detection: config.turnDetection,
    input_audio_noise_reduction: null,
    include: [],
  };
}

/** The GA session object (`session.type: 'transcription'`). */
export function gaSession(id: string, config: RealtimeSessionConfig): Record<string, unknown> {
  return {
    type: 'transcription',
    id,
    object: 'realtime.transcription_session',
    audio: {
      input: {
        format: config.format,
        transcription: transcriptionView(config),
        turn_detection: config.turnDetection,
        noise_reduction: null,
      },
    },
    include: [],
  };
}

function transcriptionView(config: RealtimeSessionConfig): Record<string, unknown> {
  const t = config.transcription;
  return {
    model: t.model,
    language: t.language,
    prompt: t.prompt,
    ...(t.hotwords !== undefined && { hotwords: t.hotwords }),
  };
}

/** OpenAI's error object; `code` is our catalogue code. */
export interface RealtimeError {
  type: 'invalid_request_error' | 'server_error';
  code: string;
  message: string;
  param: string | null;
  event_id: string | null;
}
