import { SpeechError } from '../../common/errors.js';
import { FrameBuffer } from './frame-buffer.js';
import { NemoMelComputer } from './nemo-mel-computer.js';
import type { NemoMelOptions, NemoMelOptionsInput } from './nemo-mel-options.js';
import type { OnlineFeatureExtractor } from './online-feature-extractor.js';
import { SampleBuffer } from './sample-buffer.js';

/**
 * Streaming NeMo log-mel for models trained without normalisation (cache-aware
 * streaming FastConformer, `normalize: NA`); per-utterance statistics cannot stream.
 *
 * The centred STFT only looks ahead by the window's right half: frame f is ready once
 * sample f·hop + frameOffset + win - 1 has arrived (200 samples past the centre for
 * 400/512, within NeMo's 256-sample n_fft/2 padding). At `inputFinished()` the frames up
 * to floor(N/hop) are completed with zeros past the end, as torch's constant padding
 * does; the final STFT frame that NeMo masks is never produced.
 */
export class OnlineNemoMel implements OnlineFeatureExtractor {
  readonly computer: NemoMelComputer;
  private readonly samples = new SampleBuffer();
  private readonly store: FrameBuffer;
  private finished = false;

  constructor(
    options: NemoMelOptionsInput | Readonly<NemoMelOptions> | NemoMelComputer = { normalize: 'none' },
  ) {
    this.computer = options instanceof NemoMelComputer ? options : new NemoMelComputer(options);
    if (this.computer.options.normalize !== 'none') {
      throw new SpeechError(
        'FEATURE_BAD_OPTIONS',
        "streaming NeMo features need normalize 'none': per_feature statistics cover the whole utterance",
        { normalize: this.computer.options.normalize },
      );
    }
    this.store = new FrameBuffer(this.computer.dim);
  }

  get dim(): number {
    return this.computer.dim;
  }

  get numFramesReady(): number {
    return this.store.endIndex;
  }

  get firstAvailableFrame(): number {
    return this.store.firstIndex;
  }

  get isInputFinished(): boolean {
    return this.finished;
  }

  get numSamplesAccepted(): number {
    return this.samples.end;
  }

  get buffered(): { samples: number; frames: number; sampleCapacity: number; frameCapacity: number } {
    return {
      samples: this.samples.retained,
      frames: this.store.retained,
      sampleCapacity: this.samples.capacity,
      frameCapacity: this.store.capacity,
    };
  }

  acceptWaveform(samples: Float32Array): void {
    if (this.finished) {
      throw new SpeechError(
        'INTERNAL',
        'acceptWaveform() after inputFinished(); call reset() to start a new stream',
      );
    }
    if (samples.length === 0) return;
    this.samples.append(samples);
    this.computeReady();
  }

  inputFinished(): void {
    if (this.finished) return;
    this.finished = true;
    this.computeReady();
  }

  frame(index: number): Float32Array {
    return this.store.frames(index, 1);
  }

  frames(start: number, count: number): Float32Array {
    return this.store.frames(start, count);
  }

  copyFrames(start: number, count: number, dst: Float32Array, dstOffset = 0): void {
    this.store.copyFrames(start, count, dst, dstOffset);
  }

  discardBefore(frameIndex: number): void {
    this.store.discardBefore(frameIndex);
  }

  reset(): void {
    this.samples.reset();
    this.store.reset();
    this.finished = false;
  }

  private computeReady(): void {
    const c = this.computer;
    const total = this.samples.end;
    let target = c.numFrames(total);
    if (!this.finished) {
      // Only frames whose whole window has arrived; later samples could still change the rest.
      const { hopLength, windowLength } = c.options;
      const complete = Math.floor((total - windowLength - c.frameOffset) / hopLength) + 1;
      target = Math.min(target, Math.max(0, complete));
    }
    for (let f = this.store.endIndex; f < target; f++) {
      const slot = this.store.push();
      c.compute(this.samples.view, this.samples.start, total, f, slot.data, slot.offset);
    }
    // The next frame reads from its first window sample, plus one earlier for pre-emphasis.
    this.samples.discardBefore(c.frameStart(target) - 1);
  }
}
