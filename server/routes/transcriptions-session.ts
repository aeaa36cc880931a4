/**
 * One uploaded file through the engine worker: the file stream is decoded chunk by
 * chunk (decodeAudio: native WAV, ffmpeg for the rest) and fed to an engine session with
 * interim results off, so uploads share the batched engine with live sessions. Nothing
 * holds the whole file: while the engine is behind (session.overloaded) decoding waits
 * for its drain, which in turn stops reading the upload (TCP backpressure).
 * The end of the file is a client-style Finalize: unlike end of input, it always
 * answers with a final, so the last segment (even a silent one) tells us we are done.
 */
import type { Readable } from 'node:stream';
import type { SpeechError } from '../../common/errors.js';
import { decodeAudio } from '../../streaming/audio/index.js';
import type { SessionSpec } from '../engine/engine-protocol.js';
import { type Transcript, TranscriptBuilder, type TranscriptSegment } from '../output/transcript.js';
import type { ServerContext } from '../server-context.js';

export interface UploadTranscript {
  readonly transcript: Transcript;
  /** Token ids of each segment (by segment id). */
  readonly tokens: readonly (readonly number[])[];
}

export interface UploadOptions {
  readonly filename: string;
  /** Aborting stops decoding (ffmpeg is killed) and closes the engine session. */
  readonly signal: AbortSignal;
  /** Each segment as soon as it is final. */
  readonly onSegment?: (segment: TranscriptSegment) => void;
}

export async function transcribeUpload(
  ctx: ServerContext,
  source: Readable,
  spec: SessionSpec,
  options: UploadOptions,
): Promise<UploadTranscript> {
  const { signal } = options;
  const rate = ctx.engine.sampleRate;
  const builder = new TranscriptBuilder(options.filename);
  const tokens: number[][] = [];
  let failure: SpeechError | undefined;
  let finished = false;
  // One waiter at a time: the decode loop waits for a drain, or for the last final.
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const wait = () =>
    new Promise<void>((resolve) => {
      wake = resolve;
    });
  const check = () => {
    if (failure !== undefined) throw failure;
    if (signal.aborted) throw signal.reason;
  };

  check();
  const session = await ctx.engine.openSession(
    { ...spec, interimResults: false },
    {
      onEvents(events) {
        for (const e of events) {
          if (e.type !== 'final') continue;
          const r = e.result;
          const segment = builder.add(r, {
            start: r.segmentStart,
            end: r.words.at(-1)?.end ?? r.segmentStart,
          });
          if (segment !== undefined) {
            tokens.push([...r.tokens]);
            options.onSegment?.(segment);
          }
          if (e.reason === 'finalize') {
            finished = true;
            notify();
          }
        }
      },
      onError(err) {
        failure = err;
        notify();
      },
      onDrain: notify,
    },
  );
  signal.addEventListener('abort', notify);
  let samples = 0;
  try {
    for await (const chunk of decodeAudio(source, { sampleRate: rate, signal })) {
      check();
      samples += chunk.length;
      // Chunks may be views of one larger buffer; the session transfers what it is given.
      const own =
        chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength ? chunk : chunk.slice();
      session.sendAudio(own);
      while (session.overloaded) {
        await wait();
        check();
      }
    }
    check();
    session.finalize();
    while (!finished) {
      await wait();
      check();
    }
  } finally {
    signal.removeEventListener('abort', notify);
    session.close();
  }
  return { transcript: builder.finish(samples / rate), tokens };
}
