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
import { SpeechError, toSpeechError } from '../../common/errors.js';
import { LiveAudioInput } from '../../streaming/live-audio-input.js';
import { ArrivalClock } from '../arrival-clock.js';
import type { EngineSession } from '../engine/engine-client.js';
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

const CHANNEL: [number, number] = [0, 1];

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
        admitConnection(ctx, reply);
      },
    },
    (socket, request) => {
      const query = listenQuerySchema.parse(request.query);
      new ListenConnection(socket, query, ctx, request.id).start();
    },
  );
}

class ListenConnection {
  readonly #requestId = randomUUID();
  readonly #input: LiveAudioInput;
  readonly #clock = new ArrivalClock();
  #session: EngineSession | undefined;
  /** Frames that arrived while the engine session was opening (bounded by the frame limit). */
  readonly #early: Uint8Array[] = [];
  #earlyBytes = 0;
  #idle: NodeJS.Timeout | undefined;
  #closed = false;
  #closing = false;
  #finished: (() => void) | undefined;
  readonly #handle = { drain: (timeoutMs: number) => this.drain(timeoutMs) };

  constructor(
    private readonly socket: WebSocket,
    private readonly query: ListenQuery,
    private readonly ctx: ServerContext,
    private readonly httpRequestId: string,
  ) {
    this.#input = new LiveAudioInput(
      { encoding: query.encoding, sampleRate: query.sample_rate, channels: query.channels },
      ctx.engine.sampleRate,
    );
  }

  start(): void {
    const { ctx, socket } = this;
    ctx.connections.add(this.#handle);
    ctx.metrics.activeSessions.inc({ protocol: 'listen' });
    ctx.metrics.sessionsTotal.inc({ protocol: 'listen' });
    socket.on('message', (data, isBinary) => this.onMessage(data as Buffer, isBinary));
    socket.on('close', () => this.cleanup());
    socket.on('error', () => this.cleanup());
    this.armIdle();
    ctx.engine
      .openSession(sessionSpec(this.query), {
        onEvents: (events, decodedSeconds) => this.onEvents(events, decodedSeconds),
        onError: (err) => this.fail(err),
        onDrain: () => socket.resume(),
      })
      .then((session) => {
        if (this.#closed) {
          session.close();
          return;
        }
        this.#session = session;
        this.send(this.openingMetadata());
        for (const frame of this.#early.splice(0)) this.audio(frame);
        this.#earlyBytes = 0;
      })
      .catch((err) => this.fail(toSpeechError(err)));
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

  private onMessage(data: Buffer, isBinary: boolean): void {
    if (this.#closed || this.#closing) return;
    if (isBinary) {
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
      if (this.#session === undefined) {
        this.#early.push(new Uint8Array(data));
        this.#earlyBytes += data.length;
        if (this.#earlyBytes > 4 * this.ctx.limits.maxFrameBytes) this.socket.pause();
        return;
      }
      this.audio(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(data.toString('utf8'));
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
    switch (message.data.type) {
      case 'KeepAlive':
        break;
      case 'Finalize':
        this.flushInput();
        this.#session?.finalize();
        break;
      case 'Configure':
        this.#session?.configure({
          hotwords: message.data.keyterm?.map(parseKeyterm),
          endpoint: endpointingOverrides(message.data.endpointing),
        });
        break;
      case 'CloseStream':
        this.#closing = true;
        this.flushInput();
        this.#session?.end();
        break;
    }
  }

  private audio(bytes: Uint8Array): void {
    let samples: Float32Array;
    try {
      samples = this.#input.push(bytes);
    } catch (err) {
      this.fail(toSpeechError(err));
      return;
    }
    if (this.#input.seconds > this.ctx.limits.maxSessionSeconds) {
      this.fail(
        new SpeechError(
          'LIMIT_SESSION_TOO_LONG',
          `the session sent more than ${this.ctx.limits.maxSessionSeconds} s of audio`,
        ),
      );
      return;
    }
    this.sendAudio(samples);
  }

  private sendAudio(samples: Float32Array): void {
    const session = this.#session;
    if (session === undefined || samples.length === 0) return;
    this.#clock.record(samples.length / this.ctx.engine.sampleRate, performance.now());
    session.sendAudio(samples);
    // TCP backpressure: stop reading the client while the engine is behind.
    if (session.overloaded) this.socket.pause();
  }

  private flushInput(): void {
    this.sendAudio(this.#input.flush());
  }

  private onEvents(events: readonly AsrEvent[], decodedSeconds: number): void {
    for (const event of events) {
      switch (event.type) {
        case 'partial':
          if (!this.query.interim_results) break;
          // A client that does not read gets no more partials (finals are never dropped).
          if (this.socket.bufferedAmount > this.ctx.limits.maxSendBufferBytes / 4) break;
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
          if (event.reason === 'end-of-input') this.finish();
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

  private observeLatency(kind: 'partial' | 'final', decodedSeconds: number): void {
    const arrived = this.#clock.arrivalOf(decodedSeconds);
    if (arrived === undefined) return;
    const seconds = (performance.now() - arrived) / 1000;
    (kind === 'partial' ? this.ctx.metrics.partialLatency : this.ctx.metrics.finalLatency).observe(seconds);
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

  /** Server shutdown: flush what was received, deliver the last final, then close (1001). */
  private drain(timeoutMs: number): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.shutdown(1001, 'server shutting down');
        resolve();
      }, timeoutMs);
      this.#finished = () => {
        clearTimeout(timer);
        resolve();
      };
      if (this.#session === undefined) {
        this.shutdown(1001, 'server shutting down');
        return;
      }
      this.#closing = true;
      this.flushInput();
      this.#session.end();
    });
  }

  /** End of stream: a closing Metadata summary, then a normal close. */
  private finish(): void {
    this.send({
      type: 'Metadata',
      request_id: this.#requestId,
      duration: Math.round(this.#input.seconds * 1000) / 1000,
      channels: this.query.channels,
    });
    // A stream ended by server shutdown says so (1001 going away) once its finals are out.
    if (this.#finished !== undefined) this.shutdown(1001, 'server shutting down');
    else this.shutdown(1000, 'stream closed');
  }

  private armIdle(): void {
    if (this.#idle !== undefined) clearTimeout(this.#idle);
    this.#idle = setTimeout(() => {
      this.fail(
        new SpeechError(
          'LIMIT_IDLE_TIMEOUT',
          `no audio or KeepAlive for ${this.ctx.limits.idleTimeoutMs} ms`,
        ),
      );
    }, this.ctx.limits.idleTimeoutMs);
  }

  private send(message: ServerMessage): void {
    if (this.#closed || this.socket.readyState !== this.socket.OPEN) return;
    if (this.socket.bufferedAmount > this.ctx.limits.maxSendBufferBytes) {
      const err = new SpeechError(
        'LIMIT_SLOW_CONSUMER',
        `${this.socket.bufferedAmount} bytes are waiting for the client to read them`,
      );
      this.ctx.metrics.errors.inc({ code: err.code });
      this.shutdown(err.wsCloseCode, err.code);
      return;
    }
    this.socket.send(JSON.stringify(message));
  }

  /** A coded error the session survives (bad control message). */
  private error(err: SpeechError): void {
    this.ctx.metrics.errors.inc({ code: err.code });
    this.send({ type: 'Error', code: err.code, message: err.message });
  }

  /** A coded error that ends the session: Error message, then the catalogue's close code. */
  private fail(err: SpeechError): void {
    if (this.#closed) return;
    this.error(err);
    this.ctx.log.info({ reqId: this.httpRequestId, code: err.code }, 'listen session ended by error');
    this.shutdown(err.wsCloseCode, err.code);
  }

  private shutdown(code: number, reason: string): void {
    if (this.#closed) return;
    if (this.socket.readyState === this.socket.OPEN) this.socket.close(code, reason.slice(0, 120));
    this.cleanup();
  }

  private cleanup(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#finished?.();
    if (this.#idle !== undefined) clearTimeout(this.#idle);
    this.#session?.close();
    this.#early.length = 0;
    this.ctx.connections.delete(this.#handle);
    this.ctx.metrics.activeSessions.dec({ protocol: 'listen' });
  }
}
