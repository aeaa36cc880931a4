/**
 * The recognizer contracts every ASR family implements.
 *
 * A recognizer is loaded once per model and shared by every connection; it holds the
 * ONNX sessions and nothing per utterance. All per-utterance state (features, encoder
 * caches, decoder state, hypothesis, frame counters) lives in a stream object the
 * recognizer creates, so streams can be decoded together in one batched model call.
 *
 * Audio crosses this boundary once, as mono Float32 at the model's sample rate
 * (`info.sampleRate`); conversion and resampling happen before, in streaming/.
 */
import type { EndpointOverrides } from './endpoint.js';
import type { AsrResult } from './text/asr-result.js';

export type AsrMode = 'streaming' | 'offline';

/** A decoding head of a streaming model. */
export type StreamingDecoderKind = 'ctc' | 'rnnt';

/**
 * Which head writes the transcript: one of the heads, or (hybrid models) 'hybrid':
 * CTC partials on every chunk, and the RNNT head run over the buffered encoder frames
 * when the segment ends, so finals have transducer accuracy at CTC cost per chunk.
 */
export type StreamingDecoderChoice = StreamingDecoderKind | 'hybrid';

/** Search strategy; beams accept hotwords. */
export type SearchKind = 'greedy' | 'beam';

export interface RecognizerInfo {
  /** Model id (manifest id or directory name). */
  readonly id: string;
  /** Model family id from models/runtime/families.ts. */
  readonly family: string;
  readonly mode: AsrMode;
  readonly sampleRate: number;
  /** The execution provider actually running the model. */
  readonly provider: string;
  /** Feature preset in use (training features, or sherpa's when sherpa-compat is on). */
  readonly featurePreset: string;
  /** Heads this model has (streaming NeMo: 'ctc', 'rnnt' or both). */
  readonly decoders: readonly StreamingDecoderKind[];
  /** Encoder lookahead choices R (frames of 80 ms); the first is the default. */
  readonly lookaheads: readonly number[];
  /** Seconds per decoder frame used for timestamps. */
  readonly secondsPerFrame: number;
}

/** A hotword: a phrase and an optional bonus per matched token (default from the recognizer). */
export interface Hotword {
  readonly phrase: string;
  readonly boost?: number;
}

export interface StreamOptions {
  /** Encoder lookahead R in frames; must be one of `info.lookaheads`. */
  readonly lookahead?: number;
  /** Which head writes the transcript (default: RNNT when the model has it, else CTC). */
  readonly decoder?: StreamingDecoderChoice;
  readonly search?: SearchKind;
  /** Beam width for beam search (default 4). */
  readonly beam?: number;
  /** Per-session contextual biasing (forces beam search). */
  readonly hotwords?: readonly Hotword[];
  /** Per-session endpoint rule overrides merged onto the recognizer defaults. */
  readonly endpoint?: EndpointOverrides;
}

export interface StreamReconfiguration {
  readonly hotwords?: readonly Hotword[];
  readonly endpoint?: EndpointOverrides;
}

/** A transcript for the current segment of a stream. */
export interface SegmentResult extends AsrResult {
  /** 0-based count of endpoints (segments) before this one in the stream. */
  readonly segment: number;
  /** Seconds from the start of the stream at which the segment began. */
  readonly segmentStart: number;
  /** True once the segment ended (endpoint, finalisation or end of input). */
  readonly isFinal: boolean;
}

/** Per-utterance/connection state; created by a recognizer and only usable with it. */
export interface RecognizerStream {
  /** Mono float32 samples at the recognizer's sample rate. */
  acceptAudio(samples: Float32Array): void;
  /** No more audio: the tail is padded so the last words are decoded. */
  inputFinished(): void;
  readonly isInputFinished: boolean;
  /** Seconds of audio accepted so far. */
  readonly secondsAccepted: number;
  /** Seconds of audio the model has consumed so far (at most secondsAccepted plus padding). */
  readonly secondsDecoded: number;
  /**
   * Zeros that push every accepted sample through the model (what inputFinished()
   * appends); a client Finalize mid-stream feeds this much silence before closing the
   * segment.
   */
  readonly flushPaddingSamples: number;
  /** Frees buffers; the stream must not be used afterwards. Idempotent. */
  close(): void;
}

export interface StreamingRecognizer<S extends RecognizerStream = RecognizerStream> {
  readonly info: RecognizerInfo;
  createStream(options?: StreamOptions): S;
  /** Whether the stream has enough audio for one decode step. */
  isReady(stream: S): boolean;
  /** One decode step for every stream given (each must be ready); batched where the model allows. */
  decode(streams: readonly S[]): Promise<void>;
  /** Whether an endpoint rule fired for the current segment. */
  isEndpoint(stream: S): boolean;
  /** The current segment's transcript (a partial unless the segment is final). */
  result(stream: S): SegmentResult;
  /**
   * Finishes decoding a head deferred to the segment's end (the hybrid decoder's RNN-T
   * head), so that result() and headResults() cover the whole segment. The session calls
   * it when it closes a segment; an endpoint or the end of input already did it. Optional.
   */
  settle?(stream: S): Promise<void>;
  /**
   * Each head's own transcript of the current segment, when the stream runs more than one
   * (hybrid: the CTC head's, then the RNN-T head's): what a final that votes among
   * systems reads. Empty when the stream runs one head, or while a hybrid stream's RNN-T
   * head has not caught up with the segment (see settle()). Optional.
   */
  headResults?(stream: S): readonly SegmentResult[];
  /** Ends the current segment and starts the next (after an endpoint). */
  reset(stream: S): void;
  /**
   * Changes a live stream's options: endpoint rules at once, hotwords from the next
   * segment on (a beam in flight keeps the graph it started with). Optional: a model
   * without the feature throws ASR_UNSUPPORTED_OPTION when asked.
   */
  reconfigure?(stream: S, options: StreamReconfiguration): void;
  /**
   * Running counts of how stream steps got their encoder caches (models with caches
   * kept between calls; see EncoderCacheRows). Optional.
   */
  encoderCacheRows?(): EncoderCacheRows;
  /** Releases the model sessions. Idempotent. */
  close(): Promise<void>;
}

/**
 * Stream steps counted by where their encoder cache came from: fed back in the tensors
 * the last call of the same streams returned (no copy; on a GPU, never left the device),
 * gathered from other batches' rows (a copy; on a GPU, a download and an upload), or
 * zero (a new stream or segment).
 */
export interface EncoderCacheRows {
  readonly fedBack: number;
  readonly gathered: number;
  readonly zero: number;
}

export interface OfflineRecognizer {
  readonly info: RecognizerInfo;
  /** One utterance, mono float32 at `info.sampleRate`. */
  transcribe(samples: Float32Array): Promise<AsrResult>;
  /** Several utterances in one batched model call (results in input order). */
  transcribeBatch(utterances: readonly Float32Array[]): Promise<AsrResult[]>;
  close(): Promise<void>;
}
