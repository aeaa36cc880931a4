/**
 * POST /v1/audio/speech: OpenAI's text-to-speech endpoint over the TTS worker. The body is
 * validated (speech-protocol.ts), resolved to a loaded model and voice, admitted through
 * the bounded synthesis slots (503 + Retry-After when the queue is full), and answered
 * with chunked audio: raw pcm, a streamed WAV, ffmpeg's mp3/opus/aac/flac, or SSE events.
 *
 * Headers wait for the first audio: until then every failure (bad text, a voice the
 * model lacks, ffmpeg missing or failing at once) is a proper HTTP error with its code.
 * After it, a failure cuts the response short (audio) or ends it with an error event
 * (SSE). The response is pulled: a client that reads slowly slows ffmpeg and the
 * synthesis, a client that reads nothing for idleTimeoutMs is cut (LIMIT_SLOW_CONSUMER) so
 * it cannot hold a synthesis slot, and a client that goes away cancels the synthesis before
 * its next model call.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SpeechError, toSpeechError } from '../../common/errors.js';
import { locateFfmpeg } from '../../streaming/audio/index.js';
import {
  countChars,
  parseSpeechBody,
  resolveSpeechTarget,
  type SpeechBody,
  type SpeechTarget,
  speechEvent,
  speechUsage,
} from '../protocol/speech-protocol.js';
import { DEFAULT_TTS_MAX_CHARS, type ServerContext } from '../server-context.js';
import { encodeSpeech, needsFfmpeg, speechFormatSpecs } from '../tts/speech-encoding.js';
import type { SpeechStream } from '../tts/speech-stream.js';
import { drainOrAbort } from './drain-or-abort.js';

/** Seconds a refused client is told to wait before retrying. */
const RETRY_AFTER_SECONDS = 5;

/** Response headers naming what spoke; exposed to cross-origin pages when CORS is on. */
export const SPEECH_HEADERS = [
  'X-Speech-Model',
  'X-Speech-Voice',
  'X-Speech-Provider',
  'X-Sample-Rate',
] as const;

/** Bytes buffered between the encoder and the socket before the encoder is paused. */
const RESPONSE_HIGH_WATER = 32 * 1024;

type Outcome = 'ok' | 'cancelled' | 'failed' | 'rejected' | 'busy';

/**
 * The largest body worth reading: the longest input at 6 bytes per character (a JSON
 * \uXXXX escape), as much again for instructions, and room for the other fields.
 */
export function speechBodyLimit(maxChars: number): number {
  return (maxChars + 16_384) * 6 + 64 * 1024;
}

export function registerSpeechRoute(app: FastifyInstance, ctx: ServerContext): void {
  const maxChars = ctx.limits.ttsMaxChars ?? DEFAULT_TTS_MAX_CHARS;
  app.post('/v1/audio/speech', { bodyLimit: speechBodyLimit(maxChars) }, async (request, reply) =>
    new SpeechRequest(ctx, request, reply, maxChars).run(),
  );
}

class SpeechRequest {
  readonly #started = performance.now();
  readonly #abort = new AbortController();
  #clientGone = false;
  #stream: SpeechStream | undefined;
  #outcome: Outcome | undefined;
  #settled: (() => void) | undefined;
  readonly #handle = { drain: (timeoutMs: number) => this.drain(timeoutMs) };

  constructor(
    private readonly ctx: ServerContext,
    private readonly request: FastifyRequest,
    private readonly reply: FastifyReply,
    private readonly maxChars: number,
  ) {}

  async run(): Promise<unknown> {
    const { ctx, reply } = this;
    const onClose = () => {
      if (reply.raw.writableFinished) return;
      this.#clientGone = true;
      this.#abort.abort(new SpeechError('INTERNAL', 'the client closed the connection'));
      // The body may never be read now, so its own clean-up may never run: settle here.
      this.#finish('cancelled');
      done();
    };
    const done = () => {
      reply.raw.off('close', onClose);
      ctx.speeches.delete(this.#handle);
      this.#settled?.();
    };
    reply.raw.on('close', onClose);
    ctx.speeches.add(this.#handle);
    try {
      if (ctx.shuttingDown()) {
        throw new SpeechError('SERVER_SHUTTING_DOWN', 'the server is shutting down');
      }
      const body = parseSpeechBody(this.request.body, this.maxChars);
      const target = resolveSpeechTarget(body, ctx.tts?.models ?? []);
      const tts = ctx.tts;
      if (tts === undefined) throw new SpeechError('MODEL_NOT_FOUND', 'text-to-speech is off');
      // Before any synthesis: a missing ffmpeg is the server's fault and costs nothing yet.
      const ffmpegPath = needsFfmpeg(body.response_format) ? (await locateFfmpeg()).path : undefined;
      const stream = await tts.speak(
        { model: target.model.id, text: body.input, voice: target.voice, speed: body.speed, seed: body.seed },
        this.#abort.signal,
      );
      this.#stream = stream;
      const pieces = this.#body(stream, body, ffmpegPath);
      const first = await pieces.next();
      ctx.metrics.ttsFirstAudio.observe((performance.now() - this.#started) / 1000);
      this.#headers(target, body);
      const rest = this.#rest(first, pieces, stream, body, done);
      reply.send(Readable.from(rest, { objectMode: false, highWaterMark: RESPONSE_HIGH_WATER }));
      return reply;
    } catch (err) {
      this.#stream?.cancel();
      done();
      if (this.#clientGone) {
        // Nobody is left to answer.
        reply.hijack();
        return;
      }
      const coded = toSpeechError(err);
      if (coded.code === 'LIMIT_TOO_MANY_CONNECTIONS' || coded.code === 'SERVER_SHUTTING_DOWN') {
        if (coded.code === 'LIMIT_TOO_MANY_CONNECTIONS') ctx.metrics.rejectedConnections.inc();
        reply.header('Retry-After', String(RETRY_AFTER_SECONDS));
        this.#finish('busy');
      } else {
        this.#finish(coded.httpStatus < 500 ? 'rejected' : 'failed');
      }
      throw coded;
    }
  }

  /**
   * The response body as it is made. The synthesis' first chunk is awaited before the
   * encoder starts, so a refused text fails before a byte (even a WAV header) is ready.
   */
  async *#body(stream: SpeechStream, body: SpeechBody, ffmpegPath: string | undefined) {
    const first = await stream.next();
    const chunks = (async function* () {
      if (!first.done) yield first.value;
      yield* stream;
    })();
    const sse = body.stream_format === 'sse';
    // SSE carries raw s16le for wav too: a header in the middle of events helps nobody.
    const format = sse && body.response_format === 'wav' ? 'pcm' : body.response_format;
    const audio = encodeSpeech(chunks, format, stream.sampleRate, ffmpegPath);
    if (!sse) {
      yield* audio;
      return;
    }
    for await (const bytes of audio) {
      const base64 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
      yield speechEvent({ type: 'speech.audio.delta', audio: base64 });
    }
    yield speechEvent({
      type: 'speech.audio.done',
      usage: speechUsage(countChars(body.input), stream.samplesTaken, stream.sampleRate),
    });
  }

  #headers(target: SpeechTarget, body: SpeechBody): void {
    const sse = body.stream_format === 'sse';
    this.reply
      .code(200)
      .header(
        'content-type',
        sse ? 'text/event-stream; charset=utf-8' : speechFormatSpecs[body.response_format].contentType,
      )
      .header('cache-control', 'no-cache')
      .header('x-speech-model', target.model.id)
      .header('x-speech-voice', target.voice)
      .header('x-speech-provider', target.model.provider)
      .header('x-sample-rate', String(target.model.sampleRate));
  }

  /** Everything after the first piece; settles the request's accounting however it ends. */
  async *#rest(
    first: IteratorResult<Uint8Array | string>,
    pieces: AsyncGenerator<Uint8Array | string>,
    stream: SpeechStream,
    body: SpeechBody,
    done: () => void,
  ): AsyncGenerator<Uint8Array | string> {
    // A client that reads nothing would hold a synthesis slot for as long as it keeps the
    // socket open: time spent waiting for it to take the next piece is bounded.
    const stalled = () => this.#stalled();
    let watchdog: NodeJS.Timeout | undefined;
    const handOver = (piece: Uint8Array | string) => {
      watchdog = setTimeout(stalled, this.ctx.limits.idleTimeoutMs);
      return piece;
    };
    try {
      if (!first.done) yield handOver(first.value);
      clearTimeout(watchdog);
      for (;;) {
        const next = await pieces.next();
        if (next.done) break;
        yield handOver(next.value);
        clearTimeout(watchdog);
      }
      this.#finish('ok');
    } catch (err) {
      if (this.#clientGone) {
        this.#finish('cancelled');
        return;
      }
      const coded = toSpeechError(err);
      this.ctx.metrics.errors.inc({ code: coded.code });
      this.#finish('failed');
      if (coded.httpStatus >= 500) this.request.log.error({ err }, 'speech synthesis failed mid-stream');
      // Headers are out: SSE ends with an error event, audio is cut short (the response is
      // destroyed, so the client sees a truncated transfer, not a clean end).
      if (body.stream_format === 'sse') {
        yield speechEvent({ type: 'error', error: coded.toJSON() });
        return;
      }
      throw coded;
    } finally {
      clearTimeout(watchdog);
      // Kills ffmpeg and cancels the synthesis when the response ended early.
      stream.cancel();
      await pieces.return(undefined);
      done();
    }
  }

  /** The client took nothing for idleTimeoutMs: cut it off, freeing its synthesis slot. */
  #stalled(): void {
    const error = new SpeechError(
      'LIMIT_SLOW_CONSUMER',
      `the client read no audio for ${this.ctx.limits.idleTimeoutMs} ms`,
    );
    this.ctx.metrics.errors.inc({ code: error.code });
    this.#finish('failed');
    this.request.log.warn({ code: error.code }, error.message);
    this.#abort.abort(error);
    // Nothing pulls the body any more, so its own clean-up runs only once the response is gone.
    this.reply.raw.destroy();
  }

  #finish(outcome: Outcome): void {
    if (this.#outcome !== undefined) return;
    this.#outcome = outcome;
    const stream = this.#stream;
    const { metrics } = this.ctx;
    metrics.ttsRequests.inc({ outcome });
    if (stream !== undefined && stream.samplesTaken > 0) {
      metrics.ttsAudioSeconds.inc(stream.samplesTaken / stream.sampleRate);
    }
    this.request.log.debug(
      {
        outcome,
        model: stream?.model.id,
        voice: stream?.job.voice,
        chars: stream?.job.text.length,
        audioSeconds: stream === undefined ? 0 : stream.samplesTaken / stream.sampleRate,
        ms: Math.round(performance.now() - this.#started),
      },
      'speech request',
    );
  }

  /** Shutdown: let the response finish, or cut it when the drain time is up. */
  private drain(timeoutMs: number): Promise<void> {
    return drainOrAbort(this.#abort, timeoutMs, (settle) => {
      this.#settled = settle;
    });
  }
}
