/**
 * `POST /v1/audio/transcriptions`, OpenAI's multipart shape: the form fields (validated
 * on arrival), the model names we answer to, and the response bodies (json, text, srt,
 * vtt, verbose_json, SSE events). Extension fields are marked.
 */
import { z } from 'zod';
import type { AsrWord } from '../../asr/text/words.js';
import type { EngineDescription } from '../engine/engine-protocol.js';
import type { Transcript } from '../output/transcript.js';

/** OpenAI model names a client may send; each means "the loaded model". */
const OPENAI_MODEL_ALIAS = /^(whisper-1|gpt-4o(-mini)?-transcribe(-[\w.-]+)?|default)$/;

/**
 * What a requested model name means here: the streaming model (its id, or an OpenAI
 * alias), or the second-pass model's id, which asks for 2-pass decoding. undefined: not a
 * model we serve.
 */
export function resolveModel(
  name: string | undefined,
  engine: EngineDescription,
): { readonly twoPass: boolean } | undefined {
  if (name === undefined || name === engine.primary.id || OPENAI_MODEL_ALIAS.test(name)) {
    return { twoPass: false };
  }
  if (engine.secondPass !== undefined && name === engine.secondPass.id) return { twoPass: true };
  return undefined;
}

const bool = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0'])])
  .transform((v) => v === true || v === 'true' || v === '1');

/** A field that may repeat (`name` or `name[]`) arrives as a string or an array. */
const repeated = <T extends z.ZodType<string, string>>(item: T) =>
  z
    .union([z.string(), z.array(z.string())])
    .transform((v) => (Array.isArray(v) ? v : [v]))
    .pipe(z.array(item).max(100));

export const responseFormats = ['json', 'text', 'srt', 'vtt', 'verbose_json'] as const;
export type ResponseFormat = (typeof responseFormats)[number];

/**
 * The form fields besides `file`. OpenAI fields we accept but do not use (prompt,
 * temperature, chunking_strategy, include) are validated and ignored; unknown fields are
 * ignored as well, so newer SDKs keep working.
 */
export const transcriptionFieldsSchema = z
  .object({
    model: z.string().min(1).max(200).optional(),
    language: z.string().min(1).max(32).optional(),
    prompt: z.string().max(10_000).optional(),
    response_format: z.enum(responseFormats).default('json'),
    temperature: z.coerce.number().min(0).max(1).optional(),
    'timestamp_granularities[]': repeated(z.enum(['word', 'segment'])).optional(),
    timestamp_granularities: repeated(z.enum(['word', 'segment'])).optional(),
    stream: bool.default(false),
    /** Extension: re-decode each segment with the second-pass (offline) model. */
    two_pass: bool.default(false),
    /** Extension: encoder lookahead in 80 ms frames. */
    lookahead: z.coerce.number().int().min(0).max(64).optional(),
    /** Extension: which head writes the transcript. */
    decoder: z.enum(['ctc', 'rnnt', 'hybrid']).optional(),
    /** Extension: hotwords, `phrase` or `phrase:boost`, repeated. */
    hotwords: repeated(z.string().min(1).max(200)).optional(),
    'hotwords[]': repeated(z.string().min(1).max(200)).optional(),
  })
  .loose();

export type TranscriptionFields = z.infer<typeof transcriptionFieldsSchema>;

/** Fields that configure the engine session: they must arrive before the file part. */
export const sessionFields = ['two_pass', 'lookahead', 'decoder', 'hotwords', 'hotwords[]'] as const;

export function granularities(fields: TranscriptionFields): Set<'word' | 'segment'> {
  return new Set([...(fields['timestamp_granularities[]'] ?? []), ...(fields.timestamp_granularities ?? [])]);
}

const ms = (t: number) => Math.round(t * 1000) / 1000;

/** OpenAI bills (and reports) whole seconds of audio. */
export function usage(transcript: Transcript): { type: 'duration'; seconds: number } {
  return { type: 'duration', seconds: Math.ceil(transcript.duration) };
}

export interface VerboseJson {
  task: 'transcribe';
  language: string;
  duration: number;
  text: string;
  words?: { word: string; start: number; end: number }[];
  segments?: {
    id: number;
    seek: number;
    start: number;
    end: number;
    text: string;
    tokens: number[];
    temperature: number;
    avg_logprob: number;
    compression_ratio: number;
    no_speech_prob: number;
  }[];
  usage: { type: 'duration'; seconds: number };
}

/**
 * verbose_json. Segments are always present unless only words were asked for (as
 * OpenAI does); words only when asked for. Whisper's per-segment decoding statistics
 * have no equivalent here: `tokens` are our model's token ids, `temperature` is 0
 * (greedy), `avg_logprob` is the mean log word confidence, `compression_ratio` 1 and
 * `no_speech_prob` 0 (a segment exists only where speech was decoded).
 */
export function verboseJson(
  transcript: Transcript,
  tokens: readonly (readonly number[])[],
  options: { language: string; words: boolean; segments: boolean },
): VerboseJson {
  const avgLogprob = (words: readonly AsrWord[]) =>
    words.length === 0
      ? 0
      : ms(words.reduce((s, w) => s + Math.log(Math.max(1e-6, w.confidence)), 0) / words.length);
  return {
    task: 'transcribe',
    language: options.language,
    duration: ms(transcript.duration),
    text: transcript.text,
    ...(options.words && {
      words: transcript.words.map((w) => ({ word: w.word, start: ms(w.start), end: ms(w.end) })),
    }),
    ...(options.segments && {
      segments: transcript.segments.map((s) => ({
        id: s.id,
        seek: 0,
        start: ms(s.start),
        end: ms(s.end),
        text: s.text,
        tokens: [...(tokens[s.id] ?? [])],
        temperature: 0,
        avg_logprob: avgLogprob(s.words),
        compression_ratio: 1,
        no_speech_prob: 0,
      })),
    }),
    usage: usage(transcript),
  };
}

/** One Server-Sent Event carrying a JSON payload (OpenAI sends data-only events). */
export function sseEvent(payload: unknown): string {
  return `data: ${JSON.stringify(payload)}\n\n`;
}
