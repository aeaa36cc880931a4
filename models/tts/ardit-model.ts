/**
 * The ARDiT-style acoustic model (TTS family a): three pure graphs exported by
 * models/py/tts/ardit/export.py, contract in models/py/tts/ardit/CONTRACT.md.
 *
 *   ar_prefill.onnx  phone_ids int64 [1,P], phone_pos f32 [1,P], bos_pos f32 [1,1]
 *                    -> hidden [1,D], stop_logit [1,1], present_key/value [L,1,H,P+1,Dh]
 *   ar_step.onnx     patch f32 [1,K,80], pos f32 [1,1], past_key/value [L,1,H,T,Dh]
 *                    -> hidden [1,D], stop_logit [1,1], present_key/value [L,1,H,T+1,Dh]
 *   flow_head.onnx   x_t [N,K,80], t [N], cond [N,D], prev [N,K,80] -> v [N,K,80]
 *
 * Constants come from metadata_props (checked on load, identical across the three files).
 * The model is shared and stateless: the KV cache travels in ArditKvCache values owned by
 * each generation (tts/ardit/ardit-generator.ts).
 */
import { SpeechError } from '../../common/errors.js';
import type { ArditGraphs, ArditModelInfo, ArditStepResult } from '../../tts/ardit/ardit-graphs.js';
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

export const ARDIT_MODEL_TYPE = 'ardit-tts';
export const ARDIT_CONTRACT_VERSION = '1';

/** The files of a model directory, their roles and their graph signatures (data, checked on load). */
export const ARDIT_GRAPHS = {
  prefill: {
    file: 'ar_prefill.onnx',
    inputs: ['phone_ids', 'phone_pos', 'bos_pos'],
    outputs: ['hidden', 'stop_logit', 'present_key', 'present_value'],
  },
  step: {
    file: 'ar_step.onnx',
    inputs: ['patch', 'pos', 'past_key', 'past_value'],
    outputs: ['hidden', 'stop_logit', 'present_key', 'present_value'],
  },
  flow: { file: 'flow_head.onnx', inputs: ['x_t', 't', 'cond', 'prev'], outputs: ['v'] },
} as const;

type GraphRole = keyof typeof ARDIT_GRAPHS;

/** Keys that must agree across the three files. */
const sharedKeys = [
  'model_type',
  'version',
  'n_mels',
  'patch_size',
  'vocab_size',
  'voices',
  'hidden_size',
  'n_layers',
  'n_heads',
  'head_dim',
  'frames_per_phone',
  'stop_patience',
  'mel_mean',
  'mel_std',
] as const;

const ARDIT_CONTRACT: GraphSetContract<GraphRole> = {
  family: 'ardit',
  description: 'an ARDiT model',
  graphs: ARDIT_GRAPHS,
  primary: 'prefill',
  sharedKeys,
  modelType: ARDIT_MODEL_TYPE,
  version: ARDIT_CONTRACT_VERSION,
};

/** The KV cache of one generation: stacked keys and values [L, 1, H, length, Dh]. */
export interface ArditKvCache {
  readonly key: ModelTensor;
  readonly value: ModelTensor;
  readonly length: number;
}

export interface ArditModelConfig extends ArditModelInfo {
  readonly numLayers: number;
  readonly numHeads: number;
  readonly headDim: number;
  readonly metadata: Readonly<Record<string, string>>;
}

export class ArditModel implements ArditGraphs<ArditKvCache> {
  readonly #sessions: Record<GraphRole, ModelSession>;
  readonly info: ArditModelConfig;

  private constructor(sessions: Record<GraphRole, ModelSession>, info: ArditModelConfig) {
    this.#sessions = sessions;
    this.info = info;
  }

  /** Opens a directory holding the three graphs and checks their contract. */
  static async load(dir: string, options: SessionOptions = {}): Promise<ArditModel> {
    return openGraphSet(dir, ARDIT_CONTRACT, options, ({ sessions, metas }) => {
      return new ArditModel(sessions, readConfig(metas.prefill));
    });
  }

  get provider(): string {
    return this.#sessions.step.provider;
  }

  async prefill(
    phoneIds: readonly number[],
    phonePos: Float32Array,
    bosPos: number,
  ): Promise<ArditStepResult<ArditKvCache>> {
    const p = phoneIds.length;
    if (p < 1 || phonePos.length !== p) {
      throw new SpeechError(
        'MODEL_FEED_INVALID',
        `ardit-prefill: needs >= 1 phone and one position per phone, got ${p} ids and ${phonePos.length} positions`,
      );
    }
    const out = await this.#sessions.prefill.run({
      phone_ids: int64Tensor(phoneIds, [1, p]),
      phone_pos: float32Tensor(phonePos, [1, p]),
      bos_pos: float32Tensor([bosPos], [1, 1]),
    });
    return this.#result(out, 'prefill', p + 1);
  }

  async step(patch: Float32Array, pos: number, cache: ArditKvCache): Promise<ArditStepResult<ArditKvCache>> {
    const { patchSize, numMels } = this.info;
    if (patch.length !== patchSize * numMels) {
      throw new SpeechError(
        'MODEL_FEED_INVALID',
        `ardit-step: a patch is ${patchSize}x${numMels} values, got ${patch.length}`,
      );
    }
    const out = await this.#sessions.step.run({
      patch: float32Tensor(patch, [1, patchSize, numMels]),
      pos: float32Tensor([pos], [1, 1]),
      past_key: cache.key,
      past_value: cache.value,
    });
    return this.#result(out, 'step', cache.length + 1);
  }

  async velocity(
    xt: Float32Array,
    t: Float32Array,
    cond: Float32Array,
    prev: Float32Array,
    rows: number,
  ): Promise<Float32Array> {
    const { patchSize: k, numMels: m, hiddenSize: d } = this.info;
    if (
      xt.length !== rows * k * m ||
      prev.length !== rows * k * m ||
      t.length !== rows ||
      cond.length !== rows * d
    ) {
      throw new SpeechError(
        'MODEL_FEED_INVALID',
        `ardit-flow: ${rows} rows need x_t/prev of ${rows * k * m}, t of ${rows}, cond of ${rows * d} values; ` +
          `got ${xt.length}, ${prev.length}, ${t.length}, ${cond.length}`,
      );
    }
    const out = await this.#sessions.flow.run({
      x_t: float32Tensor(xt, [rows, k, m]),
      t: float32Tensor(t, [rows]),
      cond: float32Tensor(cond, [rows, d]),
      prev: float32Tensor(prev, [rows, k, m]),
    });
    return float32Data(out.v as ModelTensor, 'v');
  }

  /** Frees the three sessions (after runs in flight). Idempotent. */
  async release(): Promise<void> {
    await Promise.all(Object.values(this.#sessions).map((s) => s.release()));
  }

  #result(out: Record<string, ModelTensor>, role: GraphRole, length: number): ArditStepResult<ArditKvCache> {
    const { numLayers, numHeads, headDim, hiddenSize } = this.info;
    const key = out.present_key as ModelTensor;
    const value = out.present_value as ModelTensor;
    const want = [numLayers, 1, numHeads, length, headDim];
    const hidden = float32Data(out.hidden as ModelTensor, 'hidden');
    if (
      key.dims.join() !== want.join() ||
      value.dims.join() !== want.join() ||
      hidden.length !== hiddenSize
    ) {
      throw new SpeechError(
        'MODEL_CONTRACT_MISMATCH',
        `ardit-${role}: expected present_key/value [${want.join(',')}] and hidden [1,${hiddenSize}], ` +
          `got [${key.dims.join(',')}], [${value.dims.join(',')}] and ${hidden.length} values`,
      );
    }
    return {
      hidden,
      stopLogit: float32Data(out.stop_logit as ModelTensor, 'stop_logit')[0]!,
      cache: { key, value, length },
    };
  }
}

/** The family's constants from the primary graph's metadata (openGraphSet checked the rest). */
function readConfig(meta: OnnxMetadata): ArditModelConfig {
  const numMels = meta.int('n_mels');
  const hiddenSize = meta.int('hidden_size');
  const numHeads = meta.int('n_heads');
  const headDim = meta.int('head_dim');
  if (numHeads * headDim !== hiddenSize) {
    throw metadataInvalid(
      meta,
      'head_dim',
      `n_heads ${numHeads} x head_dim ${headDim} != hidden_size ${hiddenSize}`,
    );
  }
  const framesPerPhone = positiveNumber(meta, 'frames_per_phone');
  const melStd = doubles(meta, 'mel_std', numMels);
  if (melStd.some((v) => !(v > 0))) throw metadataInvalid(meta, 'mel_std', 'has a value <= 0');
  return {
    patchSize: positiveInt(meta, 'patch_size'),
    numMels,
    hiddenSize,
    vocabSize: positiveInt(meta, 'vocab_size'),
    voices: voiceNames(meta),
    framesPerPhone,
    ...durationsField(meta, positiveInt(meta, 'vocab_size')),
    stopPatience: positiveInt(meta, 'stop_patience'),
    melMean: doubles(meta, 'mel_mean', numMels),
    melStd,
    numLayers: positiveInt(meta, 'n_layers'),
    numHeads,
    headDim,
    metadata: meta.toObject(),
  };
}

/** Metadata `voices`: comma-separated speaker names; missing or empty for a single-voice model. */
function voiceNames(meta: OnnxMetadata): string[] {
  const raw = meta.stringOr('voices', '').trim();
  if (raw === '') return [];
  const names = raw.split(',').map((v) => v.trim());
  if (
    names.some((n) => !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(n)) ||
    new Set(names).size !== names.length
  ) {
    throw metadataInvalid(meta, 'voices', 'needs distinct names of letters, digits, ".", "_" and "-"');
  }
  return names;
}

function positiveNumber(meta: OnnxMetadata, key: string): number {
  const v = Number(meta.string(key));
  if (!(Number.isFinite(v) && v > 0)) throw metadataInvalid(meta, key, 'is not a positive number');
  return v;
}

/** Comma-separated values kept as float64: Python's reference uses the same doubles. */
function doubles(meta: OnnxMetadata, key: string, length: number): Float64Array {
  const parts = meta.string(key).split(',');
  const out = Float64Array.from(parts, (p) => Number(p.trim()));
  if (out.length !== length || out.some((v) => !Number.isFinite(v))) {
    throw metadataInvalid(meta, key, `needs ${length} finite comma-separated numbers`);
  }
  return out;
}
