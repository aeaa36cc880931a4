import { FbankComputer } from './fbank-computer.js';
import type { FbankOptions, FbankOptionsInput } from './fbank-options.js';
import { firstSampleOfFrame, gatherReflected, numFrames } from './frame-layout.js';
import { OnlineFrameExtractor } from './online-frame-extractor.js';

/**
 * Streaming knf filterbank (knf `OnlineFbank`), with bounded memory.
 *
 * snipEdges on: a frame is computed as soon as its last sample arrives.
 * snipEdges off: likewise; frames whose window would need future samples wait, and
 * after `inputFinished()` the tail frames (count rounds N/shift) reflect past the end
 * exactly as knf. Samples are kept only from one frame length before the next frame's
 * start, which covers every reflected index knf can need.
 */
export class OnlineFbank extends OnlineFrameExtractor {
  readonly computer: FbankComputer;

  constructor(options: FbankOptionsInput | Readonly<FbankOptions> | FbankComputer = {}) {
    const computer = options instanceof FbankComputer ? options : new FbankComputer(options);
    super(computer.dim);
    this.computer = computer;
  }

  protected computeReady(): void {
    const c = this.computer;
    const g = c.geometry;
    const total = this.samples.end;
    const target = numFrames(total, g, this.finished);
    const scale = c.options.sampleScale;
    for (let f = this.store.endIndex; f < target; f++) {
      gatherReflected(
        this.samples.view,
        this.samples.start,
        total,
        firstSampleOfFrame(f, g),
        g.frameLength,
        scale,
        c.frame,
      );
      const slot = this.store.push();
      c.compute(slot.data, slot.offset);
    }
    // Keep one frame length before the next frame: reflected tail indices never reach below it.
    this.samples.discardBefore(firstSampleOfFrame(target, g) - g.frameLength);
  }
}
