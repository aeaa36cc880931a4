/**
 * The MaskGCT-style TTS model (family b): three pure graphs exported by
 * models/py/tts/maskgct/export.py, contract in models/py/tts/maskgct/CONTRACT.md.
 *
 *   t2s.onnx            phone_ids int64 [R,P], phone_pos f32 [R,P], sem_ids int64 [R,T],
 *                       sem_masked f32 [R,T], drop_prefix int64 [R] -> logits f32 [R,T,Vs]
 *   s2a.onnx            sem_ids int64 [R,T], ac_ids int64 [R,T,Q], ac_known f32 [R,T,Q],
 *                       layer int64 [1], drop_prefix int64 [R] -> logits f32 [R,T,K]
 *   codec_decoder.onnx  ac_ids int64 [1,T,Q] -> mel f32 [1,T,80] (contract log-mel)
 *
 * Constants come from metadata_props (checked on load, identical across the three files),
 * the duration table too when the model has one (`durations`, CONTRACT.md "Positions").
 * The model is shared and stateless; the decoding loop is tts/maskgct/.
 */
import { SpeechError } from '../../common/errors.js';
import type { MaskGctGraphs, MaskGctModelInfo, S2aFeed, T2sFeed } from '../../tts/maskgct/maskgct-graphs.js';
import {
  float32Data,
  float32Tensor,
  int64Tensor,
  type ModelSession,
  type ModelTensor,
  type OnnxMetadata,
  type SessionOptions,
} from '../runtime/index.js';
import { durationsField } from './duration-table.js';
import { type GraphSetContract, metadataInvalid, openGraphSet, positiveInt } from './graph-set.js';

export const MASKGCT_MODEL_TYPE = 'maskgct-tts';
export const MASKGCT_CONTRACT_VERSION = '1';

/** The files of a model directory, their roles and their graph signatures (data, checked on load). */
export const MASKGCT_GRAPHS = {
  t2s: {
    file: 't2s.onnx',
    inputs: ['phone_ids', 'phone_pos', 'sem_ids', 'sem_masked', 'drop_prefix'],
    outputs: ['logits'],
  },
  s2a: {
    file: 's2a.onnx',
    inputs: ['sem_ids', 'ac_ids', 'ac_known', 'layer', 'drop_prefix'],
    outputs: ['logits'],
  },
  codec: { file: 'codec_decoder.onnx', inputs: ['ac_ids'], outputs: ['mel'] },
} as const;

type GraphRole = keyof typeof MASKGCT_GRAPHS;

/** Keys that must agree across the three files. */
const sharedKeys = [
  'model_type',
  'version',
  'n_mels',
  'vocab_size',
  'sem_states',
  'sem_vocab',
  'codec_layers',
  'codebook_size',
  'frames_per_phone',
  'mel_mean',
  'mel_std',
  'durations',
] as const;

const MASKGCT_CONTRACT: GraphSetContract<GraphRole> = {
  family: 'maskgct',
  description: 'a MaskGCT model',
  graphs: MASKGCT_GRAPHS,
  primary: 't2s',
  sharedKeys,
  modelType: MASKGCT_MODEL_TYPE,
  version: MASKGCT_CONTRACT_VERSION,
};

export interface MaskGctModelConfig extends MaskGctModelInfo {
  readonly hiddenSize: number;
  readonly metadata: Readonly<Record<string, string>>;
}

export class MaskGctModel implements MaskGctGraphs {
  readonly #sessions: Record<GraphRole, ModelSession>;
  readonly info: MaskGctModelConfig;

  private constructor(sessions: Record<GraphRole, ModelSession>, info: MaskGctModelConfig) {
    this.#sessions = sessions;
    this.info = info;
  }

  /** Opens a directory holding the three graphs and checks their contract. */
  static async load(dir: string, options: SessionOptions = {}): Promise<MaskGctModel> {
    return openGraphSet(dir, MASKGCT_CONTRACT, options, ({ sessions, metas }) => {
      return new MaskGctModel(sessions, readConfig(metas.t2s));
    });
  }

  get provider(): string {
    return this.#sessions.t2s.provider;
  }

  async t2s(feed: T2sFeed): Promise<Float32Array> {
    const p = feed.phoneIds.length;
    const t = feed.semIds.length;
    const rows = feed.dropPrefix.length;
    if (p < 1 || feed.phonePos.length !== p || t < 1 || feed.semMasked.length !== t || rows < 1) {
      throw new SpeechError(
        'MODEL_FEED_INVALID',
        `maskgct-t2s: needs >= 1 phone with one position each, >= 1 frame with one mask flag each and >= 1 row; ` +
          `got ${p} ids, ${feed.phonePos.length} positions, ${t} frames, ${feed.semMasked.length} flags, ${rows} rows`,
      );
    }
    const out = await this.#sessions.t2s.run({
      phone_ids: int64Tensor(repeatRows(feed.phoneIds, rows), [rows, p]),
      phone_pos: float32Tensor(repeatFloats(feed.phonePos, rows), [rows, p]),
      sem_ids: int64Tensor(repeatRows(feed.semIds, rows), [rows, t]),
      sem_masked: float32Tensor(repeatFloats(feed.semMasked, rows), [rows, t]),
      drop_prefix: int64Tensor(feed.dropPrefix, [rows]),
    });
    return this.#logits(out, 't2s', [rows, t, this.info.semVocab]);
  }

  async s2a(feed: S2aFeed): Promise<Float32Array> {
    const { codecLayers: q } = this.info;
    const t = feed.semIds.length;
    const rows = feed.dropPrefix.length;
    if (
      t < 1 ||
      feed.acIds.length !== t * q ||
      feed.acKnown.length !== t * q ||
      rows < 1 ||
      !(Number.isInteger(feed.layer) && feed.layer >= 0 && feed.layer < q)
    ) {
      throw new SpeechError(
        'MODEL_FEED_INVALID',
        `maskgct-s2a: ${t} frames need ${t * q} codes and flags and a layer in 0..${q - 1}; ` +
          `got ${feed.acIds.length}, ${feed.acKnown.length}, layer ${feed.layer}, ${rows} rows`,
      );
    }
    const out = await this.#sessions.s2a.run({
      sem_ids: int64Tensor(repeatRows(feed.semIds, rows), [rows, t]),
      ac_ids: int64Tensor(repeatRows(feed.acIds, rows), [rows, t, q]),
      ac_known: float32Tensor(repeatFloats(feed.acKnown, rows), [rows, t, q]),
      layer: int64Tensor([feed.layer], [1]),
      drop_prefix: int64Tensor(feed.dropPrefix, [rows]),
    });
    return this.#logits(out, 's2a', [rows, t, this.info.codebookSize]);
  }

  async decode(acIds: Int32Array, numFrames: number): Promise<Float32Array> {
    const { codecLayers: q, numMels } = this.info;
    if (!(numFrames >= 1 && acIds.length === numFrames * q)) {
      throw new SpeechError(
        'MODEL_FEED_INVALID',
        `maskgct-codec: ${numFrames} frames need ${numFrames * q} codes, got ${acIds.length}`,
      );
    }
    const out = await this.#sessions.codec.run({
      ac_ids: int64Tensor(repeatRows(acIds, 1), [1, numFrames, q]),
    });
    return this.#logits(out, 'codec', [1, numFrames, numMels], 'mel');
  }

  /** Frees the three sessions (after runs in flight). Idempotent. */
  async release(): Promise<void> {
    await Promise.all(Object.values(this.#sessions).map((s) => s.release()));
  }

  #logits(out: Record<string, ModelTensor>, role: GraphRole, want: number[], name = 'logits'): Float32Array {
    const tensor = out[name] as ModelTensor;
    if (tensor.dims.join() !== want.join()) {
      throw new SpeechError(
        'MODEL_CONTRACT_MISMATCH',
        `maskgct-${role}: expected ${name} [${want.join(',')}], got [${tensor.dims.join(',')}]`,
      );
    }
    return float32Data(tensor, name);
  }
}

function repeatRows(values: ArrayLike<number>, rows: number): BigInt64Array {
  const n = values.length;
  const out = new BigInt64Array(n * rows);
  for (let i = 0; i < n; i++) {
    const v = BigInt(values[i]!);
    for (let r = 0; r < rows; r++) out[r * n + i] = v;
  }
  return out;
}

function repeatFloats(values: Float32Array, rows: number): Float32Array {
  if (rows === 1) return values;
  const out = new Float32Array(values.length * rows);
  for (let r = 0; r < rows; r++) out.set(values, r * values.length);
  return out;
}

/** The family's constants from the primary graph's metadata (openGraphSet checked the rest). */
function readConfig(meta: OnnxMetadata): MaskGctModelConfig {
  const vocabSize = positiveInt(meta, 'vocab_size');
  const semStates = positiveInt(meta, 'sem_states');
  const semVocab = positiveInt(meta, 'sem_vocab');
  if (semVocab !== vocabSize * semStates) {
    throw metadataInvalid(
      meta,
      'sem_vocab',
      `${semVocab} != vocab_size ${vocabSize} x sem_states ${semStates}`,
    );
  }
  const framesPerPhone = Number(meta.string('frames_per_phone'));
  if (!(Number.isFinite(framesPerPhone) && framesPerPhone > 0)) {
    throw metadataInvalid(meta, 'frames_per_phone', 'is not a positive number');
  }
  return {
    vocabSize,
    semStates,
    semVocab,
    numMels: meta.int('n_mels'),
    codecLayers: positiveInt(meta, 'codec_layers'),
    codebookSize: positiveInt(meta, 'codebook_size'),
    framesPerPhone,
    ...durationsField(meta, vocabSize),
    hiddenSize: positiveInt(meta, 'hidden_size'),
    metadata: meta.toObject(),
  };
}
