import { SpeechError } from '../../common/errors.js';
import { checkPositiveInt, checkTokenId, rowCount } from './check-shape.js';
import { argmaxRow, logSumExpRow } from './log-math.js';
import type { RnntGreedyState } from './rnnt-greedy.js';
import type { RnntPrediction } from './rnnt-model.js';

/**
 * RNNT greedy search over several streams at once, with the same result per stream as
 * `rnntGreedyDecodeChunk` (and so as sherpa-onnx), in far fewer model calls:
 *
 * - across streams: one joiner call serves every stream still decoding, one prediction
 *   call every stream that just emitted;
 * - across frames: most frames are blank, and while they are the decoder output does not
 *   change, so each joiner call scores a stream's decoder output against all its frames
 *   not yet decoded; the scan stops at the first non-blank, and only then is the
 *   prediction network run and the joiner asked again from that frame.
 *
 * A chunk of T frames that emits K tokens costs K + 1 joiner calls and K prediction
 * calls (the per-frame search costs T + K and K), shared by all streams in the batch.
 */

/** One stream's part of a joiner call: its undecoded frames and its decoder output. */
export interface RnntJoinSpan {
  /** Time-major [frames, encDim] view of the encoder frames to score. */
  readonly enc: Float32Array;
  readonly frames: number;
  /** Decoder output [predHidden] to score them against. */
  readonly dec: Float32Array;
}

/**
 * Scores each span's frames against its decoder output in one model call. Returns raw
 * logits [spans.length, maxFrames, vocabSize]; rows past a span's own `frames` are
 * ignored. The array is read before the next call, so an implementation may reuse it.
 */
export type RnntSpanJoiner = (spans: readonly RnntJoinSpan[], maxFrames: number) => Promise<Float32Array>;

/** One prediction step per entry (see `RnntPredictor`), in one model call where possible. */
export type RnntBatchPredictor<S> = (
  tokens: readonly number[],
  states: readonly (S | null)[],
) => Promise<readonly RnntPrediction<S>[]>;

export interface RnntGreedyBatchOptions<S> {
  readonly blankId: number;
  readonly vocabSize: number;
  readonly encDim: number;
  readonly joiner: RnntSpanJoiner;
  readonly predictor: RnntBatchPredictor<S>;
  /** Default 10, as sherpa and NeMo. */
  readonly maxSymbolsPerFrame?: number;
  /** Subtracted from the blank logit before the argmax (default 0: off). */
  readonly blankPenalty?: number;
  /** Frames one joiner call may score per stream (default: all; 1 for a fixed-T joiner). */
  readonly maxFramesPerCall?: number;
}

interface Cursor<S> {
  readonly state: RnntGreedyState<S>;
  readonly enc: Float32Array;
  readonly numFrames: number;
  /** Next frame to decode. */
  t: number;
  /** Symbols emitted on frame t so far. */
  q: number;
}

/**
 * Decodes one chunk per stream: `encoderOuts[i]` is stream i's row-major [T_i, encDim]
 * encoder output and `states[i]` its greedy state (updated in place, as by
 * `rnntGreedyDecodeChunk`). Streams may have different T.
 */
export async function rnntGreedyDecodeBatch<S>(
  states: readonly RnntGreedyState<S>[],
  encoderOuts: readonly Float32Array[],
  opts: RnntGreedyBatchOptions<S>,
): Promise<void> {
  const { blankId, vocabSize, encDim, joiner, predictor } = opts;
  const maxSymbols = opts.maxSymbolsPerFrame ?? 10;
  const blankPenalty = opts.blankPenalty ?? 0;
  const perCall = opts.maxFramesPerCall ?? Number.POSITIVE_INFINITY;
  checkTokenId(blankId, vocabSize, 'blank', 'RNNT greedy');
  checkPositiveInt(maxSymbols, 'maxSymbolsPerFrame', 'RNNT greedy');
  const cursors: Cursor<S>[] = states.map((state, i) => {
    const enc = encoderOuts[i]!;
    return { state, enc, numFrames: rowCount(enc, encDim, 'RNNT greedy encoder output'), t: 0, q: 0 };
  });

  // A stream that has not run the prediction network yet starts from blank (or, after a
  // hybrid flush, from its last token).
  const fresh = cursors.filter((c) => c.state.decOut === null);
  if (fresh.length > 0) {
    const preds = await predictor(
      fresh.map((c) => (c.state.tokens.length === 0 ? blankId : c.state.tokens[c.state.tokens.length - 1]!)),
      fresh.map((c) => c.state.predState),
    );
    fresh.forEach((c, i) => {
      c.state.decOut = preds[i]!.out;
      c.state.predState = preds[i]!.state;
    });
  }

  let active = cursors.filter((c) => c.numFrames > 0);
  const spans: RnntJoinSpan[] = [];
  const emitters: Cursor<S>[] = [];
  const scanned: Cursor<S>[] = [];
  while (active.length > 0) {
    let maxFrames = 0;
    spans.length = 0;
    for (const c of active) {
      const frames = Math.min(c.numFrames - c.t, perCall);
      if (frames > maxFrames) maxFrames = frames;
      spans.push({
        enc: c.enc.subarray(c.t * encDim, (c.t + frames) * encDim),
        frames,
        dec: c.state.decOut!,
      });
    }
    const logits = await joiner(spans, maxFrames);
    if (logits.length !== active.length * maxFrames * vocabSize) {
      throw new SpeechError(
        'MODEL_CONTRACT_MISMATCH',
        `RNNT greedy: the joiner returned ${logits.length} logits for ${active.length} streams x ${maxFrames} frames x ${vocabSize}`,
        { length: logits.length, streams: active.length, frames: maxFrames, vocabSize },
      );
    }
    emitters.length = 0;
    scanned.length = 0;
    for (let k = 0; k < active.length; k++) {
      const c = active[k]!;
      const s = c.state;
      const end = c.t + spans[k]!.frames;
      let row = k * maxFrames * vocabSize;
      let emitted = false;
      while (c.t < end) {
        const y = argmaxWithBlankPenalty(logits, row, vocabSize, blankId, blankPenalty);
        if (y === blankId) {
          s.numTrailingBlanks++;
          c.t++;
          c.q = 0;
          row += vocabSize;
          continue;
        }
        s.tokens.push(y);
        s.frames.push(c.t + s.frameOffset);
        s.logProbs.push(logits[row + y]! - logSumExpRow(logits, row, vocabSize));
        s.numTrailingBlanks = 0;
        if (++c.q >= maxSymbols) {
          c.t++;
          c.q = 0;
        }
        emitters.push(c);
        emitted = true;
        break;
      }
      // All blank up to the span's end: with a per-call frame cap, frames may remain.
      if (!emitted && c.t < c.numFrames) scanned.push(c);
    }
    if (emitters.length > 0) {
      const preds = await predictor(
        emitters.map((c) => c.state.tokens[c.state.tokens.length - 1]!),
        emitters.map((c) => c.state.predState),
      );
      emitters.forEach((c, i) => {
        c.state.decOut = preds[i]!.out;
        c.state.predState = preds[i]!.state;
      });
    }
    active = [...scanned, ...emitters.filter((c) => c.t < c.numFrames)];
  }
  for (const c of cursors) c.state.frameOffset += c.numFrames;
}

function argmaxWithBlankPenalty(
  logits: Float32Array,
  offset: number,
  size: number,
  blankId: number,
  penalty: number,
): number {
  if (penalty === 0) return argmaxRow(logits, offset, size);
  let best = 0;
  let bestValue = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < size; i++) {
    const v = i === blankId ? logits[offset + i]! - penalty : logits[offset + i]!;
    if (v > bestValue || i === 0) {
      bestValue = v;
      best = i;
    }
  }
  return best;
}
