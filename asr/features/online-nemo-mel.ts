import { SpeechError } from '../../common/errors.js';
import { NemoMelComputer } from './nemo-mel-computer.js';
import type { NemoMelOptions, NemoMelOptionsInput } from './nemo-mel-options.js';
import { OnlineFrameExtractor } from './online-frame-extractor.js';

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
export class OnlineNemoMel extends OnlineFrameExtractor {
  readonly computer: NemoMelComputer;

  constructor(
    options: NemoMelOptionsInput | Readonly<NemoMelOptions> | NemoMelComputer = { normalize: 'none' },
  ) {
    const computer = options instanceof NemoMelComputer ? options : new NemoMelComputer(options);
    if (computer.options.normalize !== 'none') {
      throw new SpeechError(
        'FEATURE_BAD_OPTIONS',
        "streaming NeMo features need normalize 'none': per_feature statistics cover the whole utterance",
        { normalize: computer.options.normalize },
      );
    }
    super(computer.dim);
    this.computer = computer;
  }

  protected computeReady(): void {
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
