/**
 * Everything one NeMo streaming utterance/connection owns: its feature extractor, the
 * encoder caches, the decoder state of the current segment, and the frame counters.
 * The recognizer that created it is shared and holds none of this.
 */
import { SpeechError } from '../../common/errors.js';
import type { NemoEncoderCache } from '../../models/nemo/streaming-encoder.js';
import type { PredictorState } from '../../models/nemo/transducer-predictor.js';
import type { ContextGraph } from '../decoders/context-graph.js';
import type { CtcGreedyState } from '../decoders/ctc-greedy.js';
import type { CtcPrefixBeamState } from '../decoders/ctc-prefix-beam.js';
import type { RnntGreedyState } from '../decoders/rnnt-greedy.js';
import type { RnntBeamState } from '../decoders/rnnt-modified-beam.js';
import type { EndpointConfig } from '../endpoint.js';
import type { OnlineFeatureExtractor } from '../features/online-feature-extractor.js';
import type { RecognizerStream, SearchKind, StreamingDecoderChoice } from '../recognizer.js';

export type CtcSearchState =
  | { readonly kind: 'greedy'; readonly state: CtcGreedyState }
  | { readonly kind: 'beam'; readonly state: CtcPrefixBeamState };

export type RnntSearchState =
  | { readonly kind: 'greedy'; readonly state: RnntGreedyState<PredictorState> }
  | { readonly kind: 'beam'; readonly state: RnntBeamState<PredictorState> };

export interface NemoStreamConfig {
  readonly lookahead: number;
  /** Feature frames per encoder call and per advance for this lookahead. */
  readonly windowSize: number;
  readonly chunkShift: number;
  readonly decoder: StreamingDecoderChoice;
  search: SearchKind;
  readonly beam: number;
  /** Hotwords of the current segment (changed only between segments). */
  context: ContextGraph | undefined;
  endpoint: EndpointConfig;
  /** Zeros appended by inputFinished() so the last words reach a full window. */
  readonly tailPaddingSamples: number;
  /** Seconds per feature frame (10 ms). */
  readonly frameShiftSeconds: number;
}

export class NemoStream implements RecognizerStream {
  /** Index of the first feature frame of the next encoder window. */
  processedFrames = 0;
  /** Encoder output frames decoded since the stream started. */
  encoderFrames = 0;
  /** Encoder frame at which the current segment started. */
  segmentStartFrame = 0;
  segment = 0;
  /** Hybrid decoding: encoder frames [T, D] of this segment not yet run through the RNNT head. */
  readonly pendingRnnt: Float32Array[] = [];
  /** Hotwords to use from the next segment on (undefined: no change; null: none). */
  pendingContext: ContextGraph | null | undefined;
  #samplesAccepted = 0;
  #finished = false;
  #closed = false;

  constructor(
    readonly owner: object,
    readonly config: NemoStreamConfig,
    readonly features: OnlineFeatureExtractor,
    readonly cache: NemoEncoderCache,
    public ctc: CtcSearchState | undefined,
    public rnnt: RnntSearchState | undefined,
    private readonly sampleRate: number,
  ) {}

  acceptAudio(samples: Float32Array): void {
    this.assertOpen('acceptAudio');
    if (this.#finished) {
      throw new SpeechError('ASR_STREAM_CLOSED', 'acceptAudio() after inputFinished()');
    }
    if (samples.length === 0) return;
    this.features.acceptWaveform(samples);
    this.#samplesAccepted += samples.length;
  }

  inputFinished(): void {
    this.assertOpen('inputFinished');
    if (this.#finished) return;
    if (this.config.tailPaddingSamples > 0) {
      this.features.acceptWaveform(new Float32Array(this.config.tailPaddingSamples));
    }
    this.features.inputFinished();
    this.#finished = true;
  }

  get isInputFinished(): boolean {
    return this.#finished;
  }

  get isClosed(): boolean {
    return this.#closed;
  }

  get secondsDecoded(): number {
    return this.processedFrames * this.config.frameShiftSeconds;
  }

  get flushPaddingSamples(): number {
    return this.config.tailPaddingSamples;
  }

  get secondsAccepted(): number {
    return this.#samplesAccepted / this.sampleRate;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.pendingRnnt.length = 0;
    this.features.reset();
    // Lets go of its row in a batch's cache tensors (GPU memory under WebGPU).
    this.cache.release();
  }

  assertOpen(what: string): void {
    if (this.#closed) throw new SpeechError('ASR_STREAM_CLOSED', `${what}() on a closed stream`);
  }
}
