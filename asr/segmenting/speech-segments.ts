/**
 * Long audio -> pieces for an offline recognizer, with bounded memory: the speech
 * segments of a Silero VAD when one is given (silence between them is dropped), else
 * pieces cut at quiet points by the energy segmenter. Either way no piece is longer than
 * `maxSeconds` (the VAD's segments are cut there when speech never pauses), and only
 * about one piece of audio is held at a time.
 */

import type { SileroVadModel } from '../../models/vad/silero-vad-model.js';
import { LinearResampler } from '../../streaming/audio/index.js';
import { SegmentAudio } from '../session/segment-audio.js';
import { VoiceActivityDetector, type VoiceActivityOptions } from '../vad/voice-activity-detector.js';
import { type AudioSegment, EnergySegmenter } from './energy-segmenter.js';

export type { AudioSegment } from './energy-segmenter.js';

export interface SpeechSegmentsOptions {
  /** Rate of the audio (the recognizer's). */
  readonly sampleRate: number;
  /** Silero model; without it, pieces come from the energy segmenter. */
  readonly vad?: SileroVadModel;
  readonly vadOptions?: VoiceActivityOptions;
  /** Longest piece (default 20 s without VAD, 30 s with: the VAD's own 20 s rule is soft). */
  readonly maxSeconds?: number;
}

export async function* speechSegments(
  audio: AsyncIterable<Float32Array> | Iterable<Float32Array>,
  options: SpeechSegmentsOptions,
): AsyncGenerator<AudioSegment, void, undefined> {
  if (options.vad === undefined) {
    const segmenter = new EnergySegmenter({ sampleRate: options.sampleRate, maxSeconds: options.maxSeconds });
    for await (const chunk of audio) yield* segmenter.push(chunk);
    const last = segmenter.finish();
    if (last !== undefined) yield last;
    return;
  }
  yield* vadSegments(audio, options.vad, options);
}

async function* vadSegments(
  audio: AsyncIterable<Float32Array> | Iterable<Float32Array>,
  model: SileroVadModel,
  options: SpeechSegmentsOptions,
): AsyncGenerator<AudioSegment, void, undefined> {
  const rate = options.sampleRate;
  const maxSeconds = options.maxSeconds ?? 30;
  const detector = new VoiceActivityDetector(model, { ...options.vadOptions, hardMaxSeconds: maxSeconds });
  const resampler = model.sampleRate === rate ? undefined : new LinearResampler(rate, model.sampleRate);
  const scale = rate / model.sampleRate;
  // Enough history for a whole segment plus the VAD's lag (one model input) and its lead.
  const kept = new SegmentAudio(Math.ceil((maxSeconds + 2) * rate));
  const piece = (start: number, end: number): AudioSegment => {
    const from = Math.round(start * scale);
    return { start: from, samples: kept.slice(from, Math.round(end * scale)) };
  };
  for await (const chunk of audio) {
    kept.push(chunk);
    const forVad = resampler === undefined ? chunk : resampler.resample(chunk);
    for (const s of await detector.acceptAudio(forVad)) yield piece(s.start, s.end);
  }
  if (resampler !== undefined) {
    for (const s of await detector.acceptAudio(resampler.flush())) yield piece(s.start, s.end);
  }
  const last = detector.flush();
  // The open segment runs to the end of the input (past the last whole VAD window).
  if (last !== undefined) {
    const from = Math.round(last.start * scale);
    yield { start: from, samples: kept.slice(from, kept.written) };
  }
}
