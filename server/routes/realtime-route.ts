/**
 * GET /v1/realtime?intent=transcription: OpenAI Realtime transcription sessions (beta and
 * GA event shapes) over our streaming engine. One connection = one engine session; base64
 * audio from `input_audio_buffer.append` goes through the same LiveAudioInput, queue,
 * backpressure, limits and drain as /v1/listen (live-connection.ts).
 *
 * Items. Each segment of the stream is one item with a stable id, created when the
 * segment first shows speech (or is committed). Server VAD is our endpointing:
 * `turn_detection.silence_duration_ms` is endpoint rule 2's trailing silence, and at each
 * endpoint the item is committed by the server (`speech_stopped`, `committed`,
 * `completed`). `turn_detection: null` turns pause endpoints off, so only client commits
 * (and the 20 s utterance cap) end items; speech_started/stopped are then not sent.
 *
 * Commit and clear. `input_audio_buffer.commit` finalizes the current segment (the
 * engine decodes what it holds and closes the segment at the audio received so far);
 * its final becomes `committed` + `completed`. `input_audio_buffer.clear` finalizes
 * silently and discards the result: the item is abandoned (no committed/completed; its
 * deltas are void) and `input_audio_buffer.cleared` is sent. Audio and events that
 * arrive while a commit or clear is being decoded wait in the connection's queue, so
 * each applies exactly at the point of the stream where the client sent it. A commit
 * with nothing appended since the last commit/clear is an error, as in OpenAI.
 *
 * Deltas. `...transcription.delta` carries text appended to the item: when a new
 * partial (or the final) extends the text already sent, the new suffix is sent. When it
 * revises earlier text (a later frame changed a word, or the second pass rewrote the
 * item), no delta is sent until the text extends what was sent again, and `completed`
 * always carries the true transcript. So the deltas of an item concatenate to a prefix
 * of some partial, and to the whole transcript whenever the final extends them.
 */
import { randomBytes } from 'node:crypto';
import type {} from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import type { z } from 'zod';
import type { AsrEvent } from '../../asr/session/asr-events.js';
import { SpeechError, toSpeechError } from '../../common/errors.js';
import { LiveAudioInput } from '../../streaming/live-audio-input.js';
import {
  applyUpdate,
  betaSession,
  betaUpdate,
  defaultSessionConfig,
  endpointFor,
  eventEnvelopeSchema,
  gaSession,
  gaUpdate,
  isClientEventType,
  liveFormat,
  type RealtimeClientEvent,
  type RealtimeClientEventType,
  type RealtimeError,
  type RealtimeQuery,
  type RealtimeSessionConfig,
  realtimeClientEventSchemas,
  realtimeQuerySchema,
  type SessionUpdate,
} from '../protocol/realtime-protocol.js';
import { resolveModel } from '../protocol/transcriptions-protocol.js';
import { formatZodError } from '../protocol/zod-errors.js';
import type { ServerContext } from '../server-context.js';
import { admitConnection } from './admission.js';
import { parseKeyterm } from './listen-route.js';
import { LiveConnection } from './live-connection.js';

export function registerRealtimeRoute(app: FastifyInstance, ctx: ServerContext): void {
  app.get(
    '/v1/realtime',
    {
      websocket: true,
      preValidation: async (request, reply) => {
        const parsed = realtimeQuerySchema.safeParse(request.query);
        if (!parsed.success) {
          throw new SpeechError('PROTOCOL_BAD_PARAMS', formatZodError(parsed.error, 'query'), {
            issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
          });
        }
        admitConnection(ctx, reply);
      },
    },
    (socket, request) => {
      const query = realtimeQuerySchema.parse(request.query);
      const betaHeader = request.headers['openai-beta'];
      const beta = typeof betaHeader === 'string' && betaHeader.includes('realtime=v1');
      new RealtimeConnection(socket, query, ctx, request.id, beta).begin();
    },
  );
}

/** What a client-started finalize is for. */
type Finalizing = 'commit' | 'clear' | 'drain';

interface Item {
  readonly id: string;
  /** speech_started was sent (so speech_stopped is owed). */
  started: boolean;
  /** Text sent as deltas so far. */
  emitted: string;
}

const CONTENT_INDEX = 0;

class RealtimeConnection extends LiveConnection {
  readonly #prefix = randomBytes(6).toString('hex');
  readonly #sessionId = `sess_${this.#prefix}`;
  #events = 0;
  #items = 0;
  #config: RealtimeSessionConfig;
  /** Bytes per sample frame of the format that appends are in now (updates apply in order). */
  #frameBytes: number;
  #appendedSinceCommit = 0;
  /** The client finalize waiting for its final: one at a time, later input waits in the queue. */
  #finalizing: Finalizing | undefined;
  #item: Item | undefined;
  #previousItemId: string | null = null;

  constructor(
    socket: WebSocket,
    private readonly query: RealtimeQuery,
    ctx: ServerContext,
    httpRequestId: string,
    /** Beta clients get `transcription_session.created`, GA clients `session.created`. */
    private readonly beta: boolean,
  ) {
    const config = defaultSessionConfig(ctx.engine.engine.primary.id);
    const input = new LiveAudioInput(liveFormat(config.format), ctx.engine.sampleRate);
    super(socket, ctx, 'realtime', httpRequestId, input);
    this.#config = config;
    this.#frameBytes = input.frameBytes;
  }

  begin(): void {
    // Created first, before the engine session opens, so updates are answered after it.
    this.send({
      type: this.beta ? 'transcription_session.created' : 'session.created',
      event_id: this.eventId(),
      session: this.sessionView(this.beta),
    });
    this.start({
      lookahead: this.query.lookahead,
      decoder: this.query.decoder,
      twoPass: this.query.two_pass,
      interimResults: true,
      endpoint: endpointFor(this.#config.turnDetection),
    });
  }

  protected onOpened(): void {}

  protected override holding(): boolean {
    return this.#finalizing !== undefined;
  }

  private eventId(): string {
    return `event_${this.#prefix}${(this.#events++).toString(36)}`;
  }

  private sessionView(beta: boolean): Record<string, unknown> {
    return beta ? betaSession(this.#sessionId, this.#config) : gaSession(this.#sessionId, this.#config);
  }

  /** The largest text frame worth parsing: one maximal append and room for a session update. */
  private get maxEventChars(): number {
    return Math.ceil(this.ctx.limits.maxFrameBytes / 3) * 4 + 64 * 1024;
  }

  // --- client events ---------------------------------------------------------------------

  protected onBinary(): void {
    this.error(
      new SpeechError(
        'PROTOCOL_BAD_MESSAGE',
        'binary frames are not part of this protocol: send audio as input_audio_buffer.append events',
      ),
    );
  }

  protected onText(text: string): void {
    if (text.length > this.maxEventChars) {
      this.error(
        new SpeechError(
          'LIMIT_FRAME_TOO_LARGE',
          `a ${text.length}-character event exceeds the ${this.maxEventChars}-character limit`,
        ),
      );
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      this.error(new SpeechError('PROTOCOL_BAD_MESSAGE', 'the event is not valid JSON'));
      return;
    }
    const envelope = eventEnvelopeSchema.safeParse(parsed);
    if (!envelope.success) {
      this.error(invalid(envelope.error, undefined));
      return;
    }
    const { type, event_id: eventId } = envelope.data;
    if (!isClientEventType(type)) {
      this.error(
        new SpeechError('PROTOCOL_BAD_MESSAGE', `unknown event type '${type.slice(0, 100)}'`, {
          param: 'type',
          event_id: eventId,
        }),
      );
      return;
    }
    const event = realtimeClientEventSchemas[type].safeParse(parsed);
    if (!event.success) {
      this.error(invalid(event.error, eventId));
      return;
    }
    this.armIdle();
    this.handle(type, { ...event.data, type } as RealtimeClientEvent<typeof type>);
  }

  private handle<T extends RealtimeClientEventType>(type: T, event: RealtimeClientEvent<T>): void {
    switch (type) {
      case 'input_audio_buffer.append':
        this.append(event as RealtimeClientEvent<'input_audio_buffer.append'>);
        break;
      case 'input_audio_buffer.commit':
        this.commit(event.event_id);
        break;
      case 'input_audio_buffer.clear':
        this.#appendedSinceCommit = 0;
        this.finalizeFor('clear');
        break;
      case 'transcription_session.update': {
        const e = event as RealtimeClientEvent<'transcription_session.update'>;
        this.update(betaUpdate(e.session), true, e.event_id, 'session.input_audio_transcription.model');
        break;
      }
      case 'session.update': {
        const e = event as RealtimeClientEvent<'session.update'>;
        this.update(gaUpdate(e.session), false, e.event_id, 'session.audio.input.transcription.model');
        break;
      }
    }
  }

  private append(event: RealtimeClientEvent<'input_audio_buffer.append'>): void {
    const { audio } = event;
    const context = { param: 'audio', event_id: event.event_id };
    if (audio.length % 4 === 1) {
      this.error(new SpeechError('PROTOCOL_BAD_MESSAGE', 'audio is not valid base64', context));
      return;
    }
    const bytes = Buffer.from(audio, 'base64');
    if (bytes.length > this.ctx.limits.maxFrameBytes) {
      this.error(
        new SpeechError(
          'LIMIT_FRAME_TOO_LARGE',
          `a ${bytes.length}-byte append exceeds the ${this.ctx.limits.maxFrameBytes}-byte limit`,
          context,
        ),
      );
      return;
    }
    if (bytes.length % this.#frameBytes !== 0) {
      this.error(
        new SpeechError(
          'AUDIO_BAD_FORMAT',
          `${bytes.length} bytes are not a whole number of ${this.#frameBytes}-byte samples`,
          context,
        ),
      );
      return;
    }
    if (bytes.length === 0) return;
    this.#appendedSinceCommit += bytes.length;
    this.submitAudio(bytes);
  }

  private commit(eventId: string | undefined): void {
    if (this.#appendedSinceCommit === 0) {
      this.error(
        new SpeechError(
          'PROTOCOL_BAD_MESSAGE',
          'the input audio buffer is empty: append audio before committing it',
          { param: null, event_id: eventId },
        ),
      );
      return;
    }
    this.#appendedSinceCommit = 0;
    this.finalizeFor('commit');
  }

  /** Closes the current segment at this point of the stream (after what is queued). */
  private finalizeFor(kind: Finalizing): void {
    this.submit(() => {
      this.flushInput();
      this.#finalizing = kind;
      this.session?.finalize();
    });
  }

  private update(
    update: SessionUpdate,
    beta: boolean,
    eventId: string | undefined,
    modelParam: string,
  ): void {
    const model = update.transcription?.model;
    if (model !== undefined) {
      const resolved = resolveModel(model, this.ctx.engine.engine);
      if (resolved === undefined) {
        this.error(
          new SpeechError('NOT_FOUND', `model '${model}' is not loaded`, {
            param: modelParam,
            event_id: eventId,
          }),
        );
        return;
      }
      if (resolved.twoPass && !this.query.two_pass) {
        this.error(
          new SpeechError(
            'ASR_UNSUPPORTED_OPTION',
            `model '${model}' is the second-pass model: connect with ?two_pass=true to use it`,
            { param: modelParam, event_id: eventId },
          ),
        );
        return;
      }
    }
    const previous = this.#config;
    const next = applyUpdate(previous, update);
    let input: LiveAudioInput | undefined;
    if (update.format !== undefined) {
      try {
        input = new LiveAudioInput(liveFormat(next.format), this.ctx.engine.sampleRate);
      } catch (err) {
        // A rate with no practical resampler: refused, and the session keeps its format.
        const coded = toSpeechError(err);
        this.error(
          new SpeechError(coded.code, coded.message, {
            param: beta ? 'session.input_audio_format' : 'session.audio.input.format',
            event_id: eventId,
          }),
        );
        return;
      }
    }
    this.#config = next;
    if (input !== undefined) {
      const replacement = input;
      this.#frameBytes = replacement.frameBytes;
      this.submit(() => this.replaceInput(replacement));
    }
    const hotwords = update.transcription?.hotwords;
    if (update.turnDetection !== undefined || hotwords !== undefined) {
      this.submit(() =>
        this.session?.configure({
          ...(update.turnDetection !== undefined && { endpoint: endpointFor(next.turnDetection) }),
          ...(hotwords !== undefined && { hotwords: hotwords.map(parseKeyterm) }),
        }),
      );
    }
    this.send({
      type: beta ? 'transcription_session.updated' : 'session.updated',
      event_id: this.eventId(),
      session: this.sessionView(beta),
    });
  }

  // --- engine events -----------------------------------------------------------------------

  private currentItem(): Item {
    this.#item ??= { id: `item_${this.#prefix}${(this.#items++).toString(36)}`, started: false, emitted: '' };
    return this.#item;
  }

  protected onEvents(events: readonly AsrEvent[], decodedSeconds: number): void {
    for (const event of events) {
      if (this.closed) return;
      switch (event.type) {
        case 'speech-started': {
          const turn = this.#config.turnDetection;
          if (turn === null) break;
          const item = this.currentItem();
          if (item.started) break;
          item.started = true;
          this.send({
            type: 'input_audio_buffer.speech_started',
            event_id: this.eventId(),
            audio_start_ms: Math.max(0, Math.round(event.time * 1000) - turn.prefix_padding_ms),
            item_id: item.id,
          });
          break;
        }
        case 'partial':
          // Skipping a delta loses nothing: the next one carries the whole new suffix.
          if (this.clientBehind) break;
          if (this.sendDelta(this.currentItem(), event.result.text)) {
            this.observeLatency('partial', decodedSeconds);
          }
          break;
        case 'final':
          this.observeLatency('final', decodedSeconds);
          this.onFinal(event.result.text, event.result.words.at(-1)?.end, event.reason === 'finalize');
          break;
        case 'utterance-end':
          break;
      }
    }
  }

  /** Sends the suffix by which `text` extends what was sent; nothing when it revises it. */
  private sendDelta(item: Item, text: string): boolean {
    if (text.length <= item.emitted.length || !text.startsWith(item.emitted)) return false;
    const delta = text.slice(item.emitted.length);
    item.emitted = text;
    this.send({
      type: 'conversation.item.input_audio_transcription.delta',
      event_id: this.eventId(),
      item_id: item.id,
      content_index: CONTENT_INDEX,
      delta,
    });
    return true;
  }

  private onFinal(text: string, lastWordEnd: number | undefined, fromFinalize: boolean): void {
    const kind = fromFinalize ? this.#finalizing : undefined;
    if (fromFinalize) this.#finalizing = undefined;
    if (kind === 'clear') {
      this.#item = undefined;
      this.send({ type: 'input_audio_buffer.cleared', event_id: this.eventId() });
      this.release();
      return;
    }
    if (kind === 'drain' && text === '' && this.#item === undefined) {
      this.shutdown(1001, 'server shutting down');
      return;
    }
    const item = this.currentItem();
    const heardMs = Math.round(this.inputSeconds * 1000);
    if (item.started) {
      // At an endpoint speech stopped a silence ago (capped at what arrived); at a
      // commit, at the commit point.
      const silenceMs = this.#config.turnDetection?.silence_duration_ms ?? 0;
      const endMs =
        fromFinalize || lastWordEnd === undefined
          ? heardMs
          : Math.min(heardMs, Math.round(lastWordEnd * 1000) + silenceMs);
      this.send({
        type: 'input_audio_buffer.speech_stopped',
        event_id: this.eventId(),
        audio_end_ms: endMs,
        item_id: item.id,
      });
    }
    this.send({
      type: 'input_audio_buffer.committed',
      event_id: this.eventId(),
      previous_item_id: this.#previousItemId,
      item_id: item.id,
    });
    this.sendDelta(item, text);
    this.send({
      type: 'conversation.item.input_audio_transcription.completed',
      event_id: this.eventId(),
      item_id: item.id,
      content_index: CONTENT_INDEX,
      transcript: text,
    });
    this.#previousItemId = item.id;
    this.#item = undefined;
    if (kind === 'drain') {
      this.shutdown(1001, 'server shutting down');
      return;
    }
    if (kind !== undefined) this.release();
  }

  // --- errors and shutdown ------------------------------------------------------------------

  protected beginDrain(): void {
    this.submit(() => {
      // Nothing heard since the last item: nothing to deliver.
      if (this.#appendedSinceCommit === 0 && this.#item === undefined) {
        this.shutdown(1001, 'server shutting down');
        return;
      }
      this.flushInput();
      this.#finalizing = 'drain';
      this.session?.finalize();
    });
  }

  /** A failure that ends the session also fails the item being transcribed. */
  protected override fail(err: SpeechError): void {
    if (this.closed) return;
    const item = this.#item;
    if (item !== undefined) {
      this.#item = undefined;
      this.send({
        type: 'conversation.item.input_audio_transcription.failed',
        event_id: this.eventId(),
        item_id: item.id,
        content_index: CONTENT_INDEX,
        error: { type: errorType(err), code: err.code, message: err.message, param: null },
      });
    }
    super.fail(err);
  }

  protected errorMessage(err: SpeechError): { type: 'error'; event_id: string; error: RealtimeError } {
    const param = err.details?.param;
    const eventId = err.details?.event_id;
    return {
      type: 'error',
      event_id: this.eventId(),
      error: {
        type: errorType(err),
        code: err.code,
        message: err.message,
        param: typeof param === 'string' ? param : null,
        event_id: typeof eventId === 'string' ? eventId : null,
      },
    };
  }
}

function errorType(err: SpeechError): RealtimeError['type'] {
  return err.httpStatus >= 500 ? 'server_error' : 'invalid_request_error';
}

/** A schema violation as PROTOCOL_BAD_MESSAGE naming the first bad field. */
function invalid(error: z.ZodError, eventId: string | undefined): SpeechError {
  const first = error.issues[0];
  return new SpeechError('PROTOCOL_BAD_MESSAGE', formatZodError(error, 'event'), {
    param: first === undefined || first.path.length === 0 ? null : first.path.join('.'),
    event_id: eventId,
  });
}
