import { SpeechError } from '../../common/errors.js';
import type { Cmvn } from './cmvn.js';

/**
 * Parser for FunASR's `am.mvn`, a Kaldi nnet1 text model:
 *
 *   <Nnet>
 *   <Splice> 560 560
 *   [ 0 ]
 *   <AddShift> 560 560
 *   <LearnRateCoef> 0 [ -8.31 -8.60 ... ]
 *   <Rescale> 560 560
 *   <LearnRateCoef> 0 [ 0.155 0.154 ... ]
 *   </Nnet>
 *
 * `<AddShift>`'s vector is the negated mean, `<Rescale>`'s the inverse stddev. The
 * tokens are read positionally, so line breaks inside the brackets do not matter.
 */
export function parseAmMvn(text: string, source = 'am.mvn'): Cmvn {
  const tokens = text.split(/\s+/).filter((t) => t.length > 0);
  const negMean = readComponent(tokens, '<AddShift>', source);
  const invStddev = readComponent(tokens, '<Rescale>', source);
  if (negMean.length !== invStddev.length) {
    throw invalid(source, `<AddShift> has ${negMean.length} values but <Rescale> has ${invStddev.length}`);
  }
  return { negMean, invStddev };
}

function invalid(source: string, problem: string): SpeechError {
  return new SpeechError('MODEL_CMVN_INVALID', `${source}: ${problem}`, { source });
}

function readComponent(tokens: readonly string[], tag: string, source: string): Float32Array {
  const at = tokens.indexOf(tag);
  if (at < 0) throw invalid(source, `no ${tag} component`);
  const outDim = Number(tokens[at + 1]);
  const inDim = Number(tokens[at + 2]);
  if (!Number.isInteger(outDim) || outDim <= 0 || outDim !== inDim) {
    throw invalid(
      source,
      `${tag} must be followed by two equal positive dimensions, got '${tokens[at + 1]}' '${tokens[at + 2]}'`,
    );
  }
  let i = at + 3;
  // Optional component options (<LearnRateCoef> 0, ...) come before the vector.
  while (i < tokens.length && tokens[i] !== '[') {
    if (tokens[i]!.startsWith('<') && !/^<(LearnRateCoef|BiasLearnRateCoef|MaxNorm)>$/.test(tokens[i]!)) {
      throw invalid(source, `${tag} has no [ ... ] vector before ${tokens[i]}`);
    }
    i++;
  }
  if (i >= tokens.length) throw invalid(source, `${tag} has no [ ... ] vector`);
  const values = new Float32Array(outDim);
  let n = 0;
  for (i++; i < tokens.length && tokens[i] !== ']'; i++) {
    const v = Number(tokens[i]);
    if (!Number.isFinite(v)) throw invalid(source, `${tag} vector holds '${tokens[i]}', not a number`);
    if (n < outDim) values[n] = v;
    n++;
  }
  if (i >= tokens.length) throw invalid(source, `${tag} vector is not closed by ]`);
  if (n !== outDim) throw invalid(source, `${tag} declares ${outDim} values but its vector has ${n}`);
  return values;
}
