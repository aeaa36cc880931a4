import { SpeechError } from '../../common/errors.js';
import { StreamingParaformerDecoder } from '../../models/paraformer/streaming-paraformer-decoder.js';
import {
  type StreamingEncoderOutputs,
  StreamingParaformerEncoder,
} from '../../models/paraformer/streaming-paraformer-encoder.js';
import type { ModelManifest, SymbolTable } from '../../models/runtime/index.js';
import { logSumExpRow } from '../decoders/log-math.js';
import {
  DEFAULT_ENDPOINT_CONFIG,
  type EndpointConfig,
  type EndpointRuleName,
  mergeEndpointConfig,
} from '../endpoint.js';
import { applyLfrOnline, createOnlineExtractor, type OnlineFeatureExtractor } from '../features/index.js';
import type {
  RecognizerInfo,
  RecognizerStream,
  SegmentResult,
  StreamingRecognizer,
  StreamOptions,
} from '../recognizer.js';
import { buildAsrResult } from '../text/asr-result.js';
import { type CifState, cifStep, createCifState, resetCifState } from './online-cif.js';
import {
  PARAFORMER_SECONDS_PER_FRAME,
  type ParaformerModelConstants,
  type ParaformerRecognizerOptions,
  readParaformerConstants,
  roundTimes,
} from './paraformer-constants.js';
import { addPositionEncodingFloat32, applyCmvnFloat32 } from './paraformer-features.js';
import { sherpaEndpoint } from './sherpa-endpoint.js';

/**
 * Streaming Paraformer, step for step as sherpa-onnx's online Paraformer
 * (online-recognizer-paraformer-impl.h, contract 3.2.3):
 *
 * - a chunk is 61 fbank frames and the next starts 60 later (one frame of overlap, so the
 *   7-frame LFR windows tile); a stream is ready when more than 61 unprocessed frames
 *   exist, or, after `inputFinished()`, when any do (the short last chunk is zero-padded
 *   to 61 and consumed whole);
 * - LFR without padding (10 frames), CMVN with inv_stddev·√D, the sinusoidal position
 *   encoding at positions counted from the segment start, all in float32;
 * - the 8 LFR frames kept from the previous window (5 left + 3 right context, zeros at
 *   first) are prepended, giving 18 encoder frames; alphas of the first 5 and last 3 are
 *   zeroed, so the last 3 new frames are decoded one chunk later (180 ms look-ahead);
 * - CIF carried per stream; the decoder runs only when a token fired, with the stream's
 *   FSMN caches; ids 0 are dropped;
 * - endpointing counts 10 ms frames: trailing silence runs from the start of the last
 *   chunk that emitted a token (sherpa's `last_non_blank_frame_index`).
 *
 * Features are discarded as soon as a chunk consumed them, so memory stays bounded.
 * `decode()` batches the encoder over every stream given, and the decoder over streams
 * that fired the same number of tokens (a padded token axis would pollute the caches).
 */

/** fbank frames per chunk, and LFR context frames (sherpa's chunk_size_, left_chunk_size_, right_chunk_size_). */
export const CHUNK_FRAMES = 61;
export const LEFT_CONTEXT = 5;
export const RIGHT_CONTEXT = 3;
const CACHE_FRAMES = LEFT_CONTEXT + RIGHT_CONTEXT;
/** Seconds per fbank frame, the unit of sherpa's endpoint counters. */
const FBANK_SECONDS = 0.01;
const FBANK_WINDOW_SECONDS = 0.025;
/** Frames from the first right-context frame of a chunk (7 x 6 = 42) to the next chunk's readiness (60 + 62). */
const FLUSH_FRAMES = CHUNK_FRAMES - 1 + (CHUNK_FRAMES + 1) - 7 * 6 - 1;

export class ParaformerStream implements RecognizerStream {
  /** Absolute fbank frames consumed (frames below are discarded). */
  processed = 0;
  /** Absolute fbank frame where the current segment began. */
  segmentStartFrame = 0;
  segment = 0;
  /** The last CACHE_FRAMES LFR frames of the previous encoder window. */
  readonly featureCache: Float32Array;
  readonly cif: CifState;
  decoderCaches: Float32Array[];
  tokens: number[] = [];
  /** LFR frame of each token, counted from the segment start. */
  frames: number[] = [];
  logProbs: number[] = [];
  /** Segment-relative fbank frame of the chunk that last emitted a token (0 = none). */
  lastNonBlankFrame = 0;
  decoding = false;
  private samples = 0;
  private closed = false;

  constructor(
    readonly extractor: OnlineFeatureExtractor,
    readonly endpoint: EndpointConfig,
    private readonly sampleRate: number,
    featureDim: number,
    encoderDim: number,
    caches: Float32Array[],
  ) {
    this.featureCache = new Float32Array(CACHE_FRAMES * featureDim);
    this.cif = createCifState(encoderDim);
    this.decoderCaches = caches;
  }

  acceptAudio(samples: Float32Array): void {
    this.checkOpen();
    if (this.extractor.isInputFinished) {
      throw new SpeechError('CONFIG_INVALID', 'acceptAudio() after inputFinished() on a Paraformer stream');
    }
    this.extractor.acceptWaveform(samples);
    this.samples += samples.length;
  }

  inputFinished(): void {
    this.checkOpen();
    this.extractor.inputFinished();
  }

  get isInputFinished(): boolean {
    return this.extractor.isInputFinished;
  }

  get secondsAccepted(): number {
    return this.samples / this.sampleRate;
  }

  /**
   * Zero samples that carry every accepted sample through the encoder without
   * inputFinished(): the last sample's newest frame needs a frame length (25 ms) to
   * complete; in the worst case that frame opens the 3 right-context LFR frames of its
   * chunk and is decoded with the next chunk, 79 frames later. 0.815 s at 16 kHz.
   * inputFinished() itself appends nothing: the short last chunk is zero-padded in the
   * feature domain, as sherpa does.
   */
  get flushPaddingSamples(): number {
    const shift = Math.round(this.sampleRate * FBANK_SECONDS);
    return Math.round(this.sampleRate * FBANK_WINDOW_SECONDS) + FLUSH_FRAMES * shift;
  }

  get secondsDecoded(): number {
    return this.processed * FBANK_SECONDS;
  }

  /** fbank frames held in memory (for tests and metrics): bounded by about one chunk. */
  get bufferedFrames(): number {
    return this.extractor.numFramesReady - this.extractor.firstAvailableFrame;
  }

  /** fbank frames of the current segment consumed so far. */
  get segmentFrames(): number {
    return this.processed - this.segmentStartFrame;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.extractor.reset();
    this.tokens = [];
    this.frames = [];
    this.logProbs = [];
    this.decoderCaches = [];
  }

  checkOpen(): void {
    if (this.closed) throw new SpeechError('CONFIG_INVALID', 'the Paraformer stream is closed');
  }
}

export class StreamingParaformerRecognizer implements StreamingRecognizer<ParaformerStream> {
  readonly info: RecognizerInfo;
  private readonly endpoint: EndpointConfig;
  private readonly lfrDim: number;
  private readonly fbankDim: number;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly encoder: StreamingParaformerEncoder,
    private readonly decoder: StreamingParaformerDecoder,
    private readonly constants: ParaformerModelConstants,
    private readonly symbols: SymbolTable,
    id: string,
    endpoint: EndpointConfig = DEFAULT_ENDPOINT_CONFIG,
  ) {
    this.endpoint = endpoint;
    this.lfrDim = constants.featureDim;
    this.fbankDim = constants.featureDim / constants.lfrWindowSize;
    this.info = Object.freeze({
      id,
      family: 'paraformer-streaming',
      mode: 'streaming',
      sampleRate: constants.sampleRate,
      provider: encoder.provider,
      featurePreset: constants.featurePreset,
      decoders: [],
      lookaheads: [],
      secondsPerFrame: PARAFORMER_SECONDS_PER_FRAME,
    });
  }

  static async load(
    manifest: ModelManifest,
    options: ParaformerRecognizerOptions & { readonly endpoint?: EndpointConfig } = {},
  ): Promise<StreamingParaformerRecognizer> {
    if (manifest.family !== 'paraformer-streaming') {
      throw new SpeechError(
        'MODEL_MANIFEST_INVALID',
        `${manifest.dir}: family ${manifest.family} is not paraformer-streaming`,
        { dir: manifest.dir, family: manifest.family },
      );
    }
    const constants = readParaformerConstants(manifest, options);
    const { encoder: encoderPath, decoder: decoderPath } = manifest.files;
    if (encoderPath === undefined || decoderPath === undefined) {
      throw new SpeechError(
        'MODEL_MANIFEST_INVALID',
        `${manifest.dir}: needs encoder.onnx and decoder.onnx`,
        {
          dir: manifest.dir,
        },
      );
    }
    const meta = manifest.metadata;
    const encoderOutputSize = meta.int('encoder_output_size');
    const encoder = await StreamingParaformerEncoder.create(encoderPath, {
      ...options,
      featureDim: constants.featureDim,
      encoderOutputSize,
    });
    try {
      const decoder = await StreamingParaformerDecoder.create(decoderPath, {
        ...options,
        encoderOutputSize,
        numBlocks: meta.int('decoder_num_blocks'),
        kernelSize: meta.int('decoder_kernel_size'),
        vocabSize: constants.vocabSize,
      });
      return new StreamingParaformerRecognizer(
        encoder,
        decoder,
        constants,
        manifest.tokens,
        manifest.id,
        options.endpoint,
      );
    } catch (err) {
      await encoder.release();
      throw err;
    }
  }

  createStream(options: StreamOptions = {}): ParaformerStream {
    if (this.closing !== undefined) {
      throw new SpeechError('MODEL_RELEASED', `${this.info.id}: createStream() after close()`);
    }
    const unsupported = [
      options.search === 'beam' && 'search: beam',
      options.hotwords !== undefined && options.hotwords.length > 0 && 'hotwords',
      options.decoder !== undefined && `decoder: ${options.decoder}`,
      options.lookahead !== undefined && `lookahead: ${options.lookahead}`,
    ].filter((x): x is string => typeof x === 'string');
    if (unsupported.length > 0) {
      throw new SpeechError(
        'CONFIG_INVALID',
        `streaming Paraformer supports greedy search only, without hotwords, heads or lookahead choices (${unsupported.join(', ')})`,
        { unsupported },
      );
    }
    return new ParaformerStream(
      createOnlineExtractor(this.constants.featurePreset),
      mergeEndpointConfig(options.endpoint, this.endpoint),
      this.constants.sampleRate,
      this.lfrDim,
      this.encoder.dim,
      this.decoder.initialCaches(),
    );
  }

  isReady(stream: ParaformerStream): boolean {
    if (stream.isClosed) return false;
    const ready = stream.extractor.numFramesReady;
    if (stream.processed + CHUNK_FRAMES < ready) return true;
    return stream.isInputFinished && stream.processed < ready;
  }

  async decode(streams: readonly ParaformerStream[]): Promise<void> {
    if (streams.length === 0) return;
    if (new Set(streams).size !== streams.length) {
      throw new SpeechError('INTERNAL', 'the same Paraformer stream twice in one decode()');
    }
    for (const s of streams) {
      s.checkOpen();
      if (s.decoding) throw new SpeechError('INTERNAL', 'a Paraformer stream is already being decoded');
      if (!this.isReady(s))
        throw new SpeechError('INTERNAL', 'decode() on a Paraformer stream that is not ready');
    }
    const window = (CACHE_FRAMES + this.lfrFramesPerChunk()) * this.lfrDim;
    const speech = new Float32Array(streams.length * window);
    const chunkStarts = streams.map((s, i) =>
      this.prepareWindow(s, speech.subarray(i * window, (i + 1) * window)),
    );
    for (const s of streams) s.decoding = true;
    try {
      const enc = await this.encoder.run(speech, streams.length, window / this.lfrDim);
      await this.runDecoder(streams, enc, chunkStarts);
    } finally {
      for (const s of streams) s.decoding = false;
    }
  }

  isEndpoint(stream: ParaformerStream): boolean {
    return this.endpointRule(stream) !== null;
  }

  /** The endpoint rule that fires for the current segment, or null (sherpa's float32 test). */
  endpointRule(stream: ParaformerStream): EndpointRuleName | null {
    const decoded = stream.segmentFrames;
    return sherpaEndpoint(stream.endpoint, decoded, decoded - stream.lastNonBlankFrame, FBANK_SECONDS);
  }

  result(stream: ParaformerStream): SegmentResult {
    const segmentStart = stream.segmentStartFrame * FBANK_SECONDS;
    const result = roundTimes(
      buildAsrResult(
        { tokens: stream.tokens, frames: stream.frames, logProbs: stream.logProbs },
        {
          symbols: this.symbols,
          style: 'paraformer',
          secondsPerFrame: PARAFORMER_SECONDS_PER_FRAME,
          timeOffset: segmentStart,
        },
      ),
    );
    const ended = stream.isInputFinished && !this.isReady(stream);
    return {
      ...result,
      segment: stream.segment,
      segmentStart: Math.round(segmentStart * 1e6) / 1e6,
      isFinal: ended || this.isEndpoint(stream),
    };
  }

  /**
   * Starts the next segment, as sherpa's Reset: transcript, CIF state and decoder caches
   * are cleared and frame counters restart (so does the position encoding); the feature
   * cache of the last window is kept.
   */
  reset(stream: ParaformerStream): void {
    stream.checkOpen();
    stream.segmentStartFrame = stream.processed;
    stream.segment += 1;
    stream.tokens = [];
    stream.frames = [];
    stream.logProbs = [];
    stream.lastNonBlankFrame = 0;
    resetCifState(stream.cif);
    stream.decoderCaches = this.decoder.initialCaches();
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.all([this.encoder.release(), this.decoder.release()]);
    })();
    return this.closing;
  }

  private lfrFramesPerChunk(): number {
    const { lfrWindowSize: m, lfrWindowShift: n } = this.constants;
    return Math.floor((CHUNK_FRAMES - m) / n) + 1;
  }

  /**
   * Takes the next chunk of the stream's features into `out` (18 x 560) and advances the
   * stream; returns the segment-relative fbank frame where the chunk started.
   */
  private prepareWindow(s: ParaformerStream, out: Float32Array): number {
    const { lfrWindowSize: m, lfrWindowShift: n, cmvn } = this.constants;
    const fbankDim = this.fbankDim;
    const lfrDim = this.lfrDim;
    const available = s.extractor.numFramesReady - s.processed;
    const short = s.isInputFinished && available < CHUNK_FRAMES;
    const take = short ? available : CHUNK_FRAMES;
    const chunk = new Float32Array(CHUNK_FRAMES * fbankDim); // a short final chunk is zero-padded
    s.extractor.copyFrames(s.processed, take, chunk);
    const before = s.segmentFrames;
    s.processed += short ? available : CHUNK_FRAMES - 1;
    s.extractor.discardBefore(s.processed);

    const lfr = applyLfrOnline({ data: chunk, numFrames: CHUNK_FRAMES, dim: fbankDim }, m, n);
    applyCmvnFloat32(lfr, cmvn, Math.sqrt(this.encoder.dim));
    addPositionEncodingFloat32(lfr, Math.trunc(before / n));

    out.set(s.featureCache, 0);
    out.set(lfr.data, s.featureCache.length);
    s.featureCache.set(out.subarray(out.length - s.featureCache.length));
    if (out.length !== (CACHE_FRAMES + lfr.numFrames) * lfrDim) {
      throw new SpeechError('INTERNAL', 'streaming Paraformer window size mismatch');
    }
    return before;
  }

  private async runDecoder(
    streams: readonly ParaformerStream[],
    enc: StreamingEncoderOutputs,
    chunkStarts: readonly number[],
  ): Promise<void> {
    const { numFrames: t, dim: d } = enc;
    const shift = this.constants.lfrWindowShift;
    const pending = new Map<
      number,
      { stream: ParaformerStream; index: number; embeds: Float32Array; frames: number[] }[]
    >();
    streams.forEach((s, i) => {
      const alphas = enc.alphas.slice(i * t, (i + 1) * t);
      alphas.fill(0, 0, LEFT_CONTEXT);
      alphas.fill(0, t - RIGHT_CONTEXT, t);
      const fires = cifStep(s.cif, enc.enc.subarray(i * t * d, (i + 1) * t * d), alphas);
      if (fires.frames.length === 0) return;
      // Window row r is LFR frame (chunk start / 6) - 8 + r of the segment; a fire in the
      // zero padding of the last chunk is dated to the last frame with audio.
      const firstRow = Math.trunc(chunkStarts[i]! / shift) - CACHE_FRAMES;
      const lastRow = Math.max(0, Math.floor((s.segmentFrames - 1) / shift));
      const frames = fires.frames.map((r) => Math.min(lastRow, Math.max(0, firstRow + r)));
      const group = pending.get(fires.frames.length) ?? [];
      group.push({ stream: s, index: i, embeds: fires.embeds, frames });
      pending.set(fires.frames.length, group);
    });
    const v = this.constants.vocabSize;
    for (const group of pending.values()) {
      const outs = await this.decoder.run(
        group.map((g) => ({
          enc: enc.enc.subarray(g.index * t * d, (g.index + 1) * t * d),
          encLen: enc.encLen[g.index]!,
          embeds: g.embeds,
          caches: g.stream.decoderCaches,
        })),
      );
      group.forEach((g, j) => {
        const out = outs[j]!;
        const s = g.stream;
        s.decoderCaches = out.caches;
        let emitted = false;
        out.sampleIds.forEach((id, k) => {
          if (id === 0) return;
          emitted = true;
          s.tokens.push(id);
          s.frames.push(g.frames[k]!);
          s.logProbs.push(out.logits[k * v + id]! - logSumExpRow(out.logits, k * v, v));
        });
        if (emitted) s.lastNonBlankFrame = chunkStarts[g.index]!;
      });
    }
  }
}
