/**
 * GET /v1/listen: live transcription over a WebSocket, Deepgram v1 style.
 * One connection = one engine session. Audio frames are converted to model audio here
 * and transferred to the engine worker; results come back as JSON text frames.
 * Limits: frame size, idle timeout, session length, send-buffer size; every violation
 * is an `Error` message with a stable code before the close.
 */
import { randomUUID } from 'node:crypto';
import type {} from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import type { EndpointOverrides } from '../../asr/endpoint.js';
import type { Hotword, SegmentResult } from '../../asr/recognizer.js';
import type { AsrEvent } from '../../asr/session/asr-events.js';
import { SpeechError } from '../../common/errors.js';
import { LiveAudioInput } from '../../streaming/live-audio-input.js';
import type { SessionSpec } from '../engine/engine-protocol.js';
import {
  deepgramWords,
  type ListenQuery,
  listenClientMessageSchema,
  listenQuerySchema,
  PROTOCOL_VERSION,
  type ResultsMessage,
  type ServerMessage,
  transcriptConfidence,
} from '../protocol/listen-protocol.js';
import { formatZodError } from '../protocol/zod-errors.js';
import type { ServerContext } from '../server-context.js';
import { admitConnection } from './admission.js';
import { LiveConnection } from './live-connection.js';

const CHANNEL: [number, number] = [0, 1];

/** Largest control message parsed. */
const MAX_CONTROL_CHARS = 64 * 1024;

/** `phrase` or `phrase:boost`. */
export function parseKeyterm(term: string): Hotword {
  const m = /^(.*):(\d+(?:\.\d+)?)$/.exec(term);
  if (m && m[1]!.trim().length > 0) return { phrase: m[1]!.trim(), boost: Number(m[2]) };
  return { phrase: term.trim() };
}

/** Deepgram's `endpointing` (ms of silence, or false) as endpoint rule overrides. */
export function endpointingOverrides(
  endpointing: number | false | 'false' | undefined,
): EndpointOverrides | undefined {
  if (endpointing === undefined) return undefined;
  if (endpointing === false || endpointing === 'false') {
    // No pause-based endpoints; the utterance-length cap still closes segments.
    return { rule1: { minTrailingSilence: 1e9 }, rule2: { minTrailingSilence: 1e9 } };
  }
  return { rule2: { minTrailingSilence: endpointing / 1000 } };
}

export function sessionSpec(query: ListenQuery): SessionSpec {
  const terms = [...(query.keyterm ?? []), ...(query.keywords ?? [])];
  return {
    lookahead: query.lookahead,
    decoder: query.decoder,
    hotwords: terms.length > 0 ? terms.map(parseKeyterm) : undefined,
    endpoint: endpointingOverrides(query.endpointing),
    interimResults: query.interim_results,
    twoPass: query.two_pass,
  };
}

export function registerListenRoute(app: FastifyInstance, ctx: ServerContext): void {
  app.get(
    '/v1/listen',
    {
      websocket: true,
      preValidation: async (request, reply) => {
        const parsed = listenQuerySchema.safeParse(request.query);
        if (!parsed.success) {
          throw new SpeechError('PROTOCOL_BAD_PARAMS', formatZodError(parsed.error, 'query'), {
            issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
          });
        }
        // A format the audio input cannot take (a rate with no practical resampler) is a 400 here.
        const q = parsed.data;
        LiveAudioInput.check(
          { encoding: q.encoding, sampleRate: q.sample_rate, channels: q.channels },
          ctx.engine.sampleRate,
        );
        admitConnection(ctx, reply);
      },
    },
    (socket, request) => {
      const query = listenQuerySchema.parse(request.query);
      new ListenConnection(socket, query, ctx, request.id).start(sessionSpec(query));
    },
  );
}

class ListenConnection extends LiveConnection {
  readonly #requestId = randomUUID();

  constructor(
    socket: WebSocket,
    private readonly query: ListenQuery,
    ctx: ServerContext,
    httpRequestId: string,
  ) {
    super(
      socket,
      ctx,
      'listen',
      httpRequestId,
      new LiveAudioInput(
        { encoding: query.encoding, sampleRate: query.sample_rate, channels: query.channels },
        ctx.engine.sampleRate,
      ),
    );
  }

  protected onOpened(): void {
    this.send(this.openingMetadata());
  }

  private openingMetadata(): ServerMessage {
    const info = this.ctx.engine.engine.primary;
    const { limits } = this.ctx;
    return {
      type: 'Metadata',
      request_id: this.#requestId,
      created: new Date().toISOString(),
      protocol_version: PROTOCOL_VERSION,
      model_info: { name: info.id, version: '1', arch: info.family },
      provider: info.provider,
      encoding: this.query.encoding,
      sample_rate: this.query.sample_rate,
      channels: this.query.channels,
      model_sample_rate: info.sampleRate,
      interim_results: this.query.interim_results,
      lookahead: this.query.lookahead ?? info.lookaheads[0],
      lookaheads: info.lookaheads,
      decoders: info.decoders,
      two_pass: this.query.two_pass,
      limits: {
        max_frame_bytes: limits.maxFrameBytes,
        idle_timeout_ms: limits.idleTimeoutMs,
        max_session_seconds: limits.maxSessionSeconds,
      },
    };
  }

  protected onBinary(data: Buffer): void {
    if (data.length > this.ctx.limits.maxFrameBytes) {
      this.fail(
        new SpeechError(
          'LIMIT_FRAME_TOO_LARGE',
          `a ${data.length}-byte audio frame exceeds the ${this.ctx.limits.maxFrameBytes}-byte limit`,
        ),
      );
      return;
    }
    this.armIdle();
    this.submitAudio(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }

  protected onText(text: string): void {
    // Control messages are a few hundred bytes (Configure with 100 keyterms: ~20 kB); a
    // larger one is refused before it costs a parse.
    if (text.length > MAX_CONTROL_CHARS) {
      this.error(
        new SpeechError(
          'LIMIT_FRAME_TOO_LARGE',
          `a ${text.length}-character control message exceeds the ${MAX_CONTROL_CHARS}-character limit`,
        ),
      );
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      this.error(new SpeechError('PROTOCOL_BAD_MESSAGE', 'control message is not valid JSON'));
      return;
    }
    const message = listenClientMessageSchema.safeParse(parsed);
    if (!message.success) {
      this.error(new SpeechError('PROTOCOL_BAD_MESSAGE', formatZodError(message.error, 'message')));
      return;
    }
    this.armIdle();
    const m = message.data;
    switch (m.type) {
      case 'KeepAlive':
        break;
      case 'Finalize':
        this.submit(() => {
          this.flushInput();
          this.session?.finalize();
        });
        break;
      case 'Configure':
        this.submit(() =>
          this.session?.configure({
            hotwords: m.keyterm?.map(parseKeyterm),
            endpoint: endpointingOverrides(m.endpointing),
          }),
        );
        break;
      case 'CloseStream':
        this.closing = true;
        this.submit(() => this.endStream());
        break;
    }
  }

  private endStream(): void {
    this.flushInput();
    this.session?.end();
  }

  protected onEvents(events: readonly AsrEvent[], decodedSeconds: number): void {
    for (const event of events) {
      switch (event.type) {
        case 'partial':
          if (!this.query.interim_results) break;
          // A client that does not read gets no more partials (finals are never dropped).
          if (this.clientBehind) break;
          this.observeLatency('partial', decodedSeconds);
          this.send(this.results(event.result, false, false, false, 'online'));
          break;
        case 'final':
          this.observeLatency('final', decodedSeconds);
          this.send(
            this.results(
              event.result,
              true,
              event.reason === 'endpoint',
              event.reason === 'finalize',
              event.pass,
            ),
          );
          break;
        case 'end':
          this.finish();
          break;
        case 'speech-started':
          if (this.query.vad_events)
            this.send({ type: 'SpeechStarted', channel: CHANNEL, timestamp: event.time });
          break;
        case 'utterance-end':
          if (this.query.utterance_end_ms !== undefined) {
            this.send({ type: 'UtteranceEnd', channel: CHANNEL, last_word_end: event.lastWordEnd });
          }
          break;
      }
    }
  }

  private results(
    r: SegmentResult,
    isFinal: boolean,
    speechFinal: boolean,
    fromFinalize: boolean,
    pass: 'online' | 'offline',
  ): ResultsMessage {
    const end =
      r.words.length > 0 ? Math.max(r.segmentStart, r.words[r.words.length - 1]!.end) : r.segmentStart;
    const info = this.ctx.engine.engine.primary;
    return {
      type: 'Results',
      channel_index: CHANNEL,
      start: Math.round(r.segmentStart * 1000) / 1000,
      duration: Math.round((end - r.segmentStart) * 1000) / 1000,
      is_final: isFinal,
      speech_final: speechFinal,
      from_finalize: fromFinalize,
      channel: {
        alternatives: [
          { transcript: r.text, confidence: transcriptConfidence(r.words), words: deepgramWords(r.words) },
        ],
      },
      metadata: {
        request_id: this.#requestId,
        model_info: { name: info.id, version: '1', arch: info.family },
      },
      extra: { segment_id: r.segment, pass, tokens: [...r.tokens], timestamps: [...r.timestamps] },
    };
  }

  /** Shutdown: flush what was received and deliver the last final (then finish() closes). */
  protected beginDrain(): void {
    this.submit(() => this.endStream());
  }

  /** End of stream: a closing Metadata summary, then a normal close. */
  private finish(): void {
    this.send({
      type: 'Metadata',
      request_id: this.#requestId,
      duration: Math.round(this.inputSeconds * 1000) / 1000,
      channels: this.query.channels,
    });
    // A stream ended by server shutdown says so (1001 going away) once its finals are out.
    if (this.draining) this.shutdown(1001, 'server shutting down');
    else this.shutdown(1000, 'stream closed');
  }

  protected errorMessage(err: SpeechError): ServerMessage {
    return { type: 'Error', code: err.code, message: err.message };
  }
}
