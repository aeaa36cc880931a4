/**
 * One input -> one transcript, streamed: audio is decoded chunk by chunk (ffmpeg for
 * anything that is not WAV) and never held whole.
 * - Streaming model: an AsrSession; its finals (endpoints, end of input) are the
 *   segments, re-decoded by the second-pass model in 2-pass mode.
 * - Offline model: the VAD's speech segments, or pieces cut at quiet points, each
 *   transcribed on its own (at most ~20-30 s of audio held).
 */
import type { Readable } from 'node:stream';
import { sessionCombine } from '../../asr/engine.js';
import { speechSegments } from '../../asr/segmenting/speech-segments.js';
import { AsrSession } from '../../asr/session/asr-session.js';
import { runSession } from '../../asr/session/run-session.js';
import type { AsrResult } from '../../asr/text/asr-result.js';
import { decodeAudio } from '../../streaming/audio/index.js';
import { type Transcript, TranscriptBuilder } from '../output/transcript.js';
import type { Recognition } from './transcribe-engine.js';
import type { RecognitionSettings } from './transcribe-options.js';

export interface TranscribeHooks {
  /** Seconds decoded so far (for a progress bar). */
  readonly onProgress?: (seconds: number) => void;
  /** Each segment as it is finished. */
  readonly onSegment?: (segment: { start: number; end: number; text: string }) => void;
  readonly signal?: AbortSignal;
}

export async function transcribeSource(
  source: string | Readable,
  label: string,
  recognition: Recognition,
  settings: RecognitionSettings,
  hooks: TranscribeHooks = {},
): Promise<Transcript> {
  const rate = recognition.sampleRate;
  let decoded = 0;
  async function* audio(): AsyncGenerator<Float32Array> {
    for await (const chunk of decodeAudio(source, { sampleRate: rate, signal: hooks.signal })) {
      decoded += chunk.length;
      hooks.onProgress?.(decoded / rate);
      yield chunk;
    }
  }
  const builder = new TranscriptBuilder(label);
  const add = (result: AsrResult, span: { start: number; end: number }) => {
    const segment = builder.add(result, span);
    if (segment !== undefined) hooks.onSegment?.(segment);
  };
  await recognizeAudio(audio(), recognition, settings, add);
  return builder.finish(decoded / rate);
}

/** Feeds mono float32 at the recognizer's rate through the primary model (and second pass, VAD). */
export async function recognizeAudio(
  audio: AsyncIterable<Float32Array>,
  recognition: Recognition,
  settings: RecognitionSettings,
  onFinal: (result: AsrResult, span: { start: number; end: number }) => void,
  onPartial?: (text: string, segmentStart: number) => void,
): Promise<void> {
  const { primary, secondPass } = recognition.engine;
  const rate = recognition.sampleRate;
  if (primary.mode === 'streaming') {
    const session = new AsrSession(primary.recognizer, {
      stream: settings.stream,
      interimResults: onPartial !== undefined,
      ...(secondPass !== undefined && {
        secondPass: secondPass.recognizer,
        secondPassCombine: sessionCombine(recognition.engine, settings.stream.decoder),
      }),
    });
    try {
      await runSession(primary.recognizer, session, audio, (event) => {
        if (event.type === 'partial') onPartial?.(event.result.text, event.result.segmentStart);
        if (event.type === 'final') {
          const r = event.result;
          const end = r.words.at(-1)?.end ?? r.segmentStart;
          onFinal(r, { start: r.segmentStart, end });
        }
      });
    } finally {
      session.close();
    }
    return;
  }
  for await (const piece of speechSegments(audio, { sampleRate: rate, vad: recognition.vad })) {
    const offset = piece.start / rate;
    const result = shift(await primary.recognizer.transcribe(piece.samples), offset);
    onFinal(result, { start: offset, end: offset + piece.samples.length / rate });
  }
}

function shift(result: AsrResult, seconds: number): AsrResult {
  return {
    text: result.text,
    tokens: result.tokens,
    timestamps: result.timestamps.map((t) => t + seconds),
    words: result.words.map((w) => ({ ...w, start: w.start + seconds, end: w.end + seconds })),
  };
}
