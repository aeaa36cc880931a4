/**
 * POST /v1/audio/transcriptions: OpenAI's multipart transcription endpoint over the
 * engine worker. The `file` part is decoded as it arrives (never buffered whole) and
 * transcribed by an engine session (transcriptions-session.ts); the response is json,
 * text, srt, vtt or verbose_json written by the shared formatters, or with `stream=true`
 * Server-Sent Events: `transcript.text.delta` per finished segment, then
 * `transcript.text.done`.
 *
 * Field order: multipart is read in order, so the fields that configure decoding
 * (two_pass, lookahead, decoder, hotwords) must come before the file; the others (model,
 * response_format, stream...) may also follow it, as the OpenAI Node SDK sends them.
 * With `stream=true` before the file, deltas go out as segments finish; after it, they
 * all go out at the end.
 *
 * An upload holds an engine session, so it counts as a connection (503 at the limit)
 * and is drained on shutdown. A client that goes away aborts decoding (ffmpeg killed)
 * and closes the session.
 */
import { PassThrough } from 'node:stream';
import type { MultipartFile } from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SpeechError, toSpeechError } from '../../common/errors.js';
import { transcriptCues } from '../output/cues.js';
import { formatSrt, formatVtt } from '../output/formats.js';
import type { TranscriptSegment } from '../output/transcript.js';
import {
  granularities,
  resolveModel,
  sessionFields,
  sseEvent,
  type TranscriptionFields,
  transcriptionFieldsSchema,
  usage,
  verboseJson,
} from '../protocol/transcriptions-protocol.js';
import { formatZodError } from '../protocol/zod-errors.js';
import type { ServerContext } from '../server-context.js';
import { admitConnection } from './admission.js';
import { drainOrAbort } from './drain-or-abort.js';
import { parseKeyterm } from './listen-route.js';
import { transcribeUpload, type UploadTranscript } from './transcriptions-session.js';

const PROTOCOL = 'transcriptions';

/** What a form may add to its file: part headers, boundaries, the text fields. */
const FORM_OVERHEAD_BYTES = 1024 * 1024;

export function registerTranscriptionsRoute(app: FastifyInstance, ctx: ServerContext): void {
  app.post('/v1/audio/transcriptions', async (request, reply) =>
    new TranscriptionRequest(ctx, request, reply).run(),
  );
}

function parseFields(raw: Record<string, string | string[]>): TranscriptionFields {
  const parsed = transcriptionFieldsSchema.safeParse(raw);
  if (!parsed.success) {
    throw new SpeechError('PROTOCOL_BAD_PARAMS', formatZodError(parsed.error, 'form'), {
      issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    });
  }
  return parsed.data;
}

/**
 * The form's parts, with the multipart parser's own failures (no boundary, a body that
 * ends mid-form) as PROTOCOL_BAD_PARAMS: they are the client's malformed request, not a
 * server error. Errors that already carry a status (the parts and size limits) pass as
 * they are; errors of the code consuming a part never pass through here.
 */
async function* codedParts<T>(parts: AsyncIterable<T>): AsyncGenerator<T> {
  try {
    yield* parts;
  } catch (err) {
    if (err instanceof SpeechError || typeof (err as { statusCode?: unknown }).statusCode === 'number') {
      throw err;
    }
    throw new SpeechError(
      'PROTOCOL_BAD_PARAMS',
      `malformed multipart/form-data body: ${(err as Error).message ?? String(err)}`,
    );
  }
}

class TranscriptionRequest {
  readonly #abort = new AbortController();
  readonly #raw: Record<string, string | string[]> = Object.create(null);
  #sse: PassThrough | undefined;
  /** Segments already sent as deltas. */
  #deltas = 0;
  #settled: (() => void) | undefined;
  readonly #handle = { drain: (timeoutMs: number) => this.drain(timeoutMs) };

  constructor(
    private readonly ctx: ServerContext,
    private readonly request: FastifyRequest,
    private readonly reply: FastifyReply,
  ) {}

  async run(): Promise<unknown> {
    const { ctx, request, reply } = this;
    try {
      if (!request.isMultipart()) {
        throw new SpeechError(
          'PROTOCOL_BAD_PARAMS',
          'the request must be multipart/form-data with a file part',
        );
      }
      // A body declared larger than any acceptable form is refused before it is read: a
      // client that declares terabytes and then stalls would otherwise hold a slot forever.
      const declared = Number(request.headers['content-length']);
      const limit = ctx.limits.maxUploadBytes + FORM_OVERHEAD_BYTES;
      if (declared > limit) {
        throw new SpeechError(
          'LIMIT_FRAME_TOO_LARGE',
          `the request declares ${declared} bytes; uploads are limited to ${ctx.limits.maxUploadBytes} bytes`,
          { maxUploadBytes: ctx.limits.maxUploadBytes },
        );
      }
      admitConnection(ctx, reply);
    } catch (err) {
      this.discardBody();
      throw err;
    }
    const onClose = () => {
      if (!reply.raw.writableFinished) {
        this.#abort.abort(new SpeechError('AUDIO_DECODE_FAILED', 'the client closed the connection'));
      }
    };
    reply.raw.on('close', onClose);
    ctx.connections.add(this.#handle);
    ctx.metrics.activeSessions.inc({ protocol: PROTOCOL });
    ctx.metrics.sessionsTotal.inc({ protocol: PROTOCOL });
    try {
      const { result, fields } = await this.receive();
      return this.respond(result, fields);
    } catch (err) {
      this.discardBody();
      if (this.#sse === undefined) throw err;
      // Headers are out: the error becomes the stream's last event.
      const coded = toSpeechError(err);
      ctx.metrics.errors.inc({ code: coded.code });
      this.#sse.end(sseEvent({ type: 'error', error: coded.toJSON() }));
      return reply;
    } finally {
      reply.raw.off('close', onClose);
      ctx.connections.delete(this.#handle);
      ctx.metrics.activeSessions.dec({ protocol: PROTOCOL });
      this.#settled?.();
    }
  }

  /**
   * After an error the rest of the upload is unread, so the connection cannot carry
   * another request (and would keep the server from closing): read and drop what is still
   * coming, and close the connection once the answer is out.
   */
  private discardBody(): void {
    const raw = this.request.raw;
    if (raw.readableEnded) return;
    this.reply.header('connection', 'close');
    raw.unpipe();
    raw.resume();
  }

  /** Reads the form in order; the file is transcribed as it arrives. */
  private async receive(): Promise<{ result: UploadTranscript; fields: TranscriptionFields }> {
    let result: UploadTranscript | undefined;
    for await (const part of codedParts(this.request.parts())) {
      if (part.type === 'file') {
        if (part.fieldname !== 'file') {
          part.file.resume();
          throw new SpeechError(
            'PROTOCOL_BAD_PARAMS',
            `unexpected file field '${part.fieldname}': send the audio as 'file'`,
          );
        }
        result = await this.transcribe(part, parseFields(this.#raw));
        continue;
      }
      const name = part.fieldname;
      if (result !== undefined && (sessionFields as readonly string[]).includes(name)) {
        throw new SpeechError('PROTOCOL_BAD_PARAMS', `form field '${name}' must come before the file`);
      }
      const value = typeof part.value === 'string' ? part.value : String(part.value);
      const previous = this.#raw[name];
      this.#raw[name] =
        previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
    }
    if (result === undefined) {
      throw new SpeechError('PROTOCOL_BAD_PARAMS', "the form has no 'file' part", { param: 'file' });
    }
    return { result, fields: parseFields(this.#raw) };
  }

  private async transcribe(part: MultipartFile, fields: TranscriptionFields): Promise<UploadTranscript> {
    const model = this.model(fields);
    const limit = this.ctx.limits.maxUploadBytes;
    part.file.on('limit', () => {
      this.#abort.abort(
        new SpeechError('LIMIT_FRAME_TOO_LARGE', `the upload exceeds the ${limit}-byte limit`, {
          maxUploadBytes: limit,
        }),
      );
    });
    const hotwords = [...(fields.hotwords ?? []), ...(fields['hotwords[]'] ?? [])];
    return transcribeUpload(
      this.ctx,
      part.file,
      {
        lookahead: fields.lookahead,
        decoder: fields.decoder,
        hotwords: hotwords.length > 0 ? hotwords.map(parseKeyterm) : undefined,
        twoPass: fields.two_pass || model.twoPass,
      },
      {
        filename: part.filename || 'file',
        signal: this.#abort.signal,
        onSegment: fields.stream ? (segment) => this.delta(segment) : undefined,
      },
    );
  }

  private model(fields: TranscriptionFields): { twoPass: boolean } {
    const model = resolveModel(fields.model, this.ctx.engine.engine);
    if (model === undefined) {
      throw new SpeechError('NOT_FOUND', `model '${fields.model}' is not loaded`, { param: 'model' });
    }
    return model;
  }

  /** One finished segment as an SSE delta; the stream's headers go out with the first. */
  private delta(segment: TranscriptSegment): void {
    if (this.#sse === undefined) {
      this.#sse = new PassThrough();
      this.reply
        .header('content-type', 'text/event-stream; charset=utf-8')
        .header('cache-control', 'no-cache')
        .send(this.#sse);
    }
    // Segments are joined by a space in the transcript; the deltas concatenate to it.
    const delta = this.#deltas === 0 ? segment.text : ` ${segment.text}`;
    this.#deltas++;
    this.#sse.write(sseEvent({ type: 'transcript.text.delta', delta }));
  }

  private respond(result: UploadTranscript, fields: TranscriptionFields): unknown {
    const { reply } = this;
    const { transcript } = result;
    this.model(fields);
    const wanted = granularities(fields);
    const format = fields.response_format;
    if (wanted.size > 0 && format !== 'verbose_json') {
      throw new SpeechError(
        'PROTOCOL_BAD_PARAMS',
        'timestamp_granularities[] needs response_format verbose_json',
        {
          param: 'timestamp_granularities[]',
        },
      );
    }
    if (fields.stream) {
      if (format !== 'json' && format !== 'text') {
        throw new SpeechError(
          'PROTOCOL_BAD_PARAMS',
          `stream=true gives text events: use response_format json or text, not ${format}`,
          {
            param: 'stream',
          },
        );
      }
      // Deltas for segments the stream has not carried yet (stream=true came after the file).
      for (const segment of transcript.segments.slice(this.#deltas)) this.delta(segment);
      if (this.#sse === undefined) {
        this.#sse = new PassThrough();
        reply
          .header('content-type', 'text/event-stream; charset=utf-8')
          .header('cache-control', 'no-cache')
          .send(this.#sse);
      }
      this.#sse.end(
        sseEvent({ type: 'transcript.text.done', text: transcript.text, usage: usage(transcript) }),
      );
      return reply;
    }
    switch (format) {
      case 'json':
        return { text: transcript.text, usage: usage(transcript) };
      case 'text':
        reply.type('text/plain; charset=utf-8');
        return `${transcript.text}\n`;
      case 'srt':
        reply.type('text/plain; charset=utf-8');
        return formatSrt(transcriptCues(transcript));
      case 'vtt':
        reply.type('text/vtt; charset=utf-8');
        return formatVtt(transcriptCues(transcript));
      case 'verbose_json':
        return verboseJson(transcript, result.tokens, {
          language: fields.language ?? 'unknown',
          words: wanted.has('word'),
          segments: wanted.size === 0 || wanted.has('segment'),
        });
    }
  }

  /** Shutdown: let the upload finish, or abort it when the drain time is up. */
  private drain(timeoutMs: number): Promise<void> {
    return drainOrAbort(this.#abort, timeoutMs, (settle) => {
      this.#settled = settle;
    });
  }
}
