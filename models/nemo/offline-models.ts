/**
 * Opens the ONNX sessions of a NeMo offline model directory (families nemo-ctc-offline
 * and nemo-transducer-offline) as runners. Every graph is opened with the same session
 * options; a failure part-way releases what was already opened.
 */
import { SpeechError } from '../../common/errors.js';
import type { ModelManifest } from '../runtime/manifest.js';
import { createSession, type ModelSession } from '../runtime/session.js';
import type { SessionOptions } from '../runtime/session-options.js';
import { NemoOfflineCtcModel } from './offline-ctc-model.js';
import { NemoOfflineTransducerEncoder } from './offline-transducer-encoder.js';
import { NemoTransducerJoiner } from './transducer-joiner.js';
import { NemoTransducerPredictor } from './transducer-predictor.js';

interface Releasable {
  /** The provider actually used (every graph is opened with the same request). */
  readonly provider: string;
  /** Releases every session. Idempotent. */
  release(): Promise<void>;
}

export interface NemoOfflineCtcModels extends Releasable {
  readonly kind: 'ctc';
  readonly model: NemoOfflineCtcModel;
}

export interface NemoOfflineTransducerModels extends Releasable {
  readonly kind: 'transducer';
  readonly encoder: NemoOfflineTransducerEncoder;
  readonly predictor: NemoTransducerPredictor;
  readonly joiner: NemoTransducerJoiner;
}

export type NemoOfflineModels = NemoOfflineCtcModels | NemoOfflineTransducerModels;

export async function openNemoOfflineModels(
  manifest: ModelManifest,
  options: SessionOptions = {},
): Promise<NemoOfflineModels> {
  if (manifest.family !== 'nemo-ctc-offline' && manifest.family !== 'nemo-transducer-offline') {
    throw new SpeechError(
      'MODEL_MANIFEST_INVALID',
      `${manifest.dir}: ${manifest.family} is not a NeMo offline family`,
      { dir: manifest.dir, family: manifest.family },
    );
  }
  const meta = manifest.metadata;
  // Variants sherpa decodes differently; refuse them rather than decode them wrongly.
  if (meta.intOr('is_giga_am', 0) !== 0) {
    throw new SpeechError(
      'MODEL_CONTRACT_MISMATCH',
      `${manifest.dir}: GigaAM models (is_giga_am=1) need their own features and are not supported`,
      { dir: manifest.dir },
    );
  }
  if (/tdt/i.test(meta.stringOr('url', ''))) {
    throw new SpeechError(
      'MODEL_CONTRACT_MISMATCH',
      `${manifest.dir}: TDT transducers (url mentions tdt) are not supported yet`,
      { dir: manifest.dir, url: meta.get('url') },
    );
  }
  const featDim = meta.has('feat_dim') && meta.get('feat_dim') !== '' ? meta.int('feat_dim') : undefined;

  const opened: ModelSession[] = [];
  const open = async (role: 'model' | 'encoder' | 'decoder' | 'joiner') => {
    const path = manifest.files[role];
    if (path === undefined)
      throw new SpeechError('MODEL_MANIFEST_INVALID', `${manifest.dir}: no ${role} file`);
    const session = await createSession(path, { ...options, label: `${manifest.id}/${role}` });
    opened.push(session);
    return session;
  };
  let released: Promise<void> | undefined;
  const release = () => {
    released ??= Promise.allSettled(opened.map((s) => s.release())).then(() => undefined);
    return released;
  };
  try {
    if (manifest.family === 'nemo-ctc-offline') {
      const model = new NemoOfflineCtcModel(await open('model'), meta.int('subsampling_factor'), featDim);
      return { kind: 'ctc', model, provider: model.provider, release };
    }
    const encoder = new NemoOfflineTransducerEncoder(await open('encoder'), featDim);
    const predictor = new NemoTransducerPredictor(
      await open('decoder'),
      meta.int('pred_rnn_layers'),
      meta.int('pred_hidden'),
    );
    const joiner = new NemoTransducerJoiner(await open('joiner'));
    if (encoder.declaredEncDim !== undefined && encoder.declaredEncDim !== joiner.encDim) {
      throw new SpeechError(
        'MODEL_CONTRACT_MISMATCH',
        `${manifest.dir}: the encoder outputs ${encoder.declaredEncDim} channels but the joiner takes ${joiner.encDim}`,
      );
    }
    return { kind: 'transducer', encoder, predictor, joiner, provider: encoder.provider, release };
  } catch (err) {
    await release();
    throw err;
  }
}
