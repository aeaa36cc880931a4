/**
 * Silero probabilities + sherpa's segmenter: audio in (any chunking), finished speech
 * segments out as sample ranges at the VAD's rate. One per stream; the model is shared.
 */
import type { SileroVadModel } from '../../models/vad/silero-vad-model.js';
import { SileroVad } from './silero-vad.js';
import { type SpeechSegment, VadSegmenter, type VadSegmenterOptions } from './vad-segmenter.js';

export type VoiceActivityOptions = Omit<
  VadSegmenterOptions,
  'sampleRate' | 'windowSamples' | 'contextSamples'
>;

export class VoiceActivityDetector {
  readonly vad: SileroVad;
  readonly segmenter: VadSegmenter;

  constructor(model: SileroVadModel, options: VoiceActivityOptions = {}) {
    this.vad = new SileroVad(model);
    this.segmenter = new VadSegmenter({
      ...options,
      sampleRate: model.sampleRate,
      windowSamples: model.windowSamples,
      contextSamples: model.contextSamples,
    });
  }

  get sampleRate(): number {
    return this.vad.sampleRate;
  }

  /** Whether a segment is open (speech now). */
  get speechDetected(): boolean {
    return this.segmenter.speechStart !== undefined;
  }

  /** Segments finished by these samples, in order. */
  async acceptAudio(samples: Float32Array): Promise<SpeechSegment[]> {
    const segments: SpeechSegment[] = [];
    for (const p of await this.vad.acceptAudio(samples)) {
      const done = this.segmenter.pushProbability(p);
      if (done !== undefined) segments.push(done);
    }
    return segments;
  }

  /** End of input: the open segment, if any. */
  flush(): SpeechSegment | undefined {
    return this.segmenter.flush();
  }

  reset(): void {
    this.vad.reset();
    this.segmenter.reset();
  }
}
