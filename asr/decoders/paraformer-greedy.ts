import { SpeechError } from '../../common/errors.js';
import { checkTokenId, rowCount } from './check-shape.js';
import type { DecodedTokens } from './decoded-tokens.js';
import { argmaxRow } from './log-math.js';

/**
 * Offline Paraformer greedy decoding over the model's log-softmax output [N, V].
 *
 * The tokens follow sherpa-onnx: argmax per position, stopping at the first `</s>`.
 * FunASR instead keeps the first (token_num - predictor_bias) argmaxes after dropping
 * blank and `</s>`; when token_num is given that sequence is computed too and
 * `tokenNumMismatch` says whether the two disagree (a sign the CIF count and the
 * decoder's eos do not line up, e.g. on noise).
 */
export interface ParaformerGreedyOptions {
  readonly vocabSize: number;
  /** Id of `</s>` (look it up by symbol; 2 in FunASR tables). */
  readonly eosId: number;
  /** Id of `<blank>`, dropped from the output (default 0; -1 keeps everything). */
  readonly blankId?: number;
  /** The model's `token_num` output for this utterance, for the cross-check. */
  readonly tokenNum?: number;
  /** `model_conf.predictor_bias` (1 for paraformer-large; default 0). */
  readonly predictorBias?: number;
}

export interface ParaformerGreedyResult extends DecodedTokens {
  /** Position (acoustic-embedding index) of each token: not a time, see the text stage. */
  readonly frames: number[];
  /** log-prob of each token at its position (the model output is already log-softmax). */
  readonly logProbs: number[];
  /** FunASR's token_num-based sequence, when tokenNum was given. */
  readonly tokenNumTokens: number[] | undefined;
  /** True when tokenNum was given and the two sequences differ. */
  readonly tokenNumMismatch: boolean;
}

export function paraformerGreedyDecode(
  logProbs: Float32Array,
  opts: ParaformerGreedyOptions,
): ParaformerGreedyResult {
  const { vocabSize, eosId, tokenNum } = opts;
  const blankId = opts.blankId ?? 0;
  const bias = opts.predictorBias ?? 0;
  const numPositions = rowCount(logProbs, vocabSize, 'Paraformer greedy');
  checkTokenId(eosId, vocabSize, 'eos', 'Paraformer greedy');
  if (tokenNum !== undefined && (!Number.isInteger(tokenNum) || tokenNum < 0)) {
    throw new SpeechError(
      'MODEL_CONTRACT_MISMATCH',
      `Paraformer greedy: token_num ${tokenNum} is not a count`,
      {
        tokenNum,
      },
    );
  }

  const tokens: number[] = [];
  const frames: number[] = [];
  const scores: number[] = [];
  const funasr: number[] | undefined = tokenNum === undefined ? undefined : [];
  const funasrLimit = tokenNum === undefined ? 0 : Math.max(0, tokenNum - bias);
  let stopped = false;

  for (let k = 0, row = 0; k < numPositions; k++, row += vocabSize) {
    if (stopped && (funasr === undefined || funasr.length >= funasrLimit)) break;
    const y = argmaxRow(logProbs, row, vocabSize);
    if (y === eosId) stopped = true;
    if (y === eosId || y === blankId) continue;
    if (!stopped) {
      tokens.push(y);
      frames.push(k);
      scores.push(logProbs[row + y]!);
    }
    if (funasr !== undefined && funasr.length < funasrLimit) funasr.push(y);
  }

  return {
    tokens,
    frames,
    logProbs: scores,
    tokenNumTokens: funasr,
    tokenNumMismatch: funasr !== undefined && !sameSequence(tokens, funasr),
  };
}

function sameSequence(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
