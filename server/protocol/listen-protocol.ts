/**
 * The live transcription wire protocol of `GET /v1/listen`, shaped like Deepgram's
 * streaming API v1 so its clients can point at us: configuration in query parameters,
 * binary frames carrying audio only, JSON control messages, JSON results.
 * Everything a client sends is validated against these schemas on arrival.
 */
import { z } from 'zod';
import type { AsrWord } from '../../asr/text/words.js';

export const PROTOCOL_VERSION = '1';

const bool = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0'])])
  .transform((v) => v === true || v === 'true' || v === '1');

const repeated = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? v : [v]))
  .pipe(z.array(z.string().min(1).max(200)).max(100));

/** Query parameters (Deepgram names; speechstream extensions marked). */
export const listenQuerySchema = z
  .object({
    model: z.string().max(200).optional(),
    encoding: z.enum(['linear16', 'linear32', 'mulaw', 'alaw']).default('linear16'),
    sample_rate: z.coerce.number().int().min(1).max(384_000).default(16000),
    channels: z.coerce.number().int().min(1).max(64).default(1),
    interim_results: bool.default(false),
    /** Milliseconds of trailing silence that end an utterance, or false (no speech_final). */
    endpointing: z
      .union([z.literal('false'), z.literal(false), z.coerce.number().int().min(10).max(60_000)])
      .optional(),
    utterance_end_ms: z.coerce.number().int().min(100).max(60_000).optional(),
    vad_events: bool.default(false),
    /** Hotwords; `phrase` or `phrase:boost` (extension: the boost). */
    keyterm: repeated.optional(),
    keywords: repeated.optional(),
    /** Extension: encoder lookahead in 80 ms frames. */
    lookahead: z.coerce.number().int().min(0).max(64).optional(),
    /** Extension: re-decode each utterance with the offline model. */
    two_pass: bool.default(false),
    /** Extension: which head writes the transcript. */
    decoder: z.enum(['ctc', 'rnnt', 'hybrid']).optional(),
    /** Browsers cannot set headers on WebSockets: the API key may come here. */
    token: z.string().max(500).optional(),
    tag: z.string().max(200).optional(),
  })
  .loose();

export type ListenQuery = z.infer<typeof listenQuerySchema>;

/** Client control messages (JSON text frames). */
export const listenClientMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('KeepAlive') }),
  z.object({ type: z.literal('Finalize'), channel: z.number().optional() }),
  z.object({ type: z.literal('CloseStream') }),
  z.object({
    type: z.literal('Configure'),
    keyterm: z.array(z.string().min(1).max(200)).max(100).optional(),
    endpointing: z.union([z.literal(false), z.number().int().min(10).max(60_000)]).optional(),
  }),
]);

export type ListenClientMessage = z.infer<typeof listenClientMessageSchema>;

export interface DeepgramWord {
  word: string;
  start: number;
  end: number;
  confidence: number;
  punctuated_word: string;
}

export interface ResultsMessage {
  type: 'Results';
  channel_index: [number, number];
  start: number;
  duration: number;
  is_final: boolean;
  speech_final: boolean;
  from_finalize: boolean;
  channel: { alternatives: { transcript: string; confidence: number; words: DeepgramWord[] }[] };
  metadata: { request_id: string; model_info: { name: string; version: string; arch: string } };
  /** speechstream's own fields. */
  extra: { segment_id: number; pass: 'online' | 'offline'; tokens: number[]; timestamps: number[] };
}

const round = (x: number) => Math.round(x * 1000) / 1000;

export function deepgramWords(words: readonly AsrWord[]): DeepgramWord[] {
  return words.map((w) => ({
    word: w.word,
    start: round(w.start),
    end: round(w.end),
    confidence: round(w.confidence),
    punctuated_word: w.word,
  }));
}

/** Transcript confidence: the mean word confidence (Deepgram reports one per alternative). */
export function transcriptConfidence(words: readonly AsrWord[]): number {
  if (words.length === 0) return 0;
  return round(words.reduce((s, w) => s + w.confidence, 0) / words.length);
}

export type ServerMessage =
  | ResultsMessage
  | { type: 'Metadata'; [key: string]: unknown }
  | { type: 'SpeechStarted'; channel: [number, number]; timestamp: number }
  | { type: 'UtteranceEnd'; channel: [number, number]; last_word_end: number }
  | { type: 'Error'; code: string; message: string; details?: unknown };
