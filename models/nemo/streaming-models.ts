/**
 * Opens the ONNX sessions of a NeMo streaming model directory (families
 * nemo-ctc-streaming, nemo-transducer-streaming, nemo-hybrid-streaming) as runners.
 * Which graphs exist decides which heads the recognizer can offer.
 */
import { SpeechError } from '../../common/errors.js';
import type { ModelManifest } from '../runtime/manifest.js';
import { createSession, type ModelSession } from '../runtime/session.js';
import type { SessionOptions } from '../runtime/session-options.js';
import { NemoCtcHead } from './ctc-head.js';
import { NemoStreamingEncoder } from './streaming-encoder.js';
import { NemoTransducerJoiner } from './transducer-joiner.js';
import { NemoTransducerPredictor } from './transducer-predictor.js';

export interface NemoStreamingModels {
  /** The encoder graph: fused encoder+CTC (`model.onnx`) or the transducer encoder. */
  readonly encoder: NemoStreamingEncoder;
  /** True when the encoder graph already outputs CTC log-probs. */
  readonly fusedCtc: boolean;
  /**
   * A hybrid or transducer directory's fused encoder+CTC graph (`model.onnx`), opened on
   * request: CTC-only streams run it in one call instead of encoder + CTC head. The same
   * encoder weights, so its caches are interchangeable with `encoder`'s.
   */
  readonly ctcEncoder: NemoStreamingEncoder | undefined;
  readonly ctcHead: NemoCtcHead | undefined;
  readonly predictor: NemoTransducerPredictor | undefined;
  readonly joiner: NemoTransducerJoiner | undefined;
  /** The provider actually used (the encoder's; every graph is opened with the same request). */
  readonly provider: string;
  release(): Promise<void>;
}

const STREAMING_FAMILIES = new Set([
  'nemo-ctc-streaming',
  'nemo-transducer-streaming',
  'nemo-hybrid-streaming',
]);

export interface NemoStreamingOpenOptions {
  /** Also open a hybrid/transducer directory's `model.onnx` (when shipped) for CTC-only streams. */
  readonly fusedCtcGraph?: boolean;
}

export async function openNemoStreamingModels(
  manifest: ModelManifest,
  options: SessionOptions = {},
  graphs: NemoStreamingOpenOptions = {},
): Promise<NemoStreamingModels> {
  if (!STREAMING_FAMILIES.has(manifest.family)) {
    throw new SpeechError(
      'MODEL_MANIFEST_INVALID',
      `${manifest.dir}: ${manifest.family} is not a NeMo streaming family`,
    );
  }
  const opened: ModelSession[] = [];
  const open = async (role: 'model' | 'encoder' | 'decoder' | 'joiner' | 'ctcHead') => {
    const path = manifest.files[role];
    if (path === undefined)
      throw new SpeechError('MODEL_MANIFEST_INVALID', `${manifest.dir}: no ${role} file`);
    const session = await createSession(path, { ...options, label: `${manifest.id}/${role}` });
    opened.push(session);
    return session;
  };
  try {
    const meta = manifest.metadata;
    if (manifest.family === 'nemo-ctc-streaming') {
      const encoder = new NemoStreamingEncoder(await open('model'), meta, 'time-major');
      return bundle(encoder, true, undefined, undefined, undefined, undefined, opened);
    }
    const encoder = new NemoStreamingEncoder(await open('encoder'), meta, 'channels-first');
    const predictor = new NemoTransducerPredictor(
      await open('decoder'),
      meta.int('pred_rnn_layers'),
      meta.int('pred_hidden'),
    );
    const joiner = new NemoTransducerJoiner(await open('joiner'));
    const ctcHead =
      manifest.family === 'nemo-hybrid-streaming'
        ? new NemoCtcHead(await open('ctcHead'), encoder.geometry.dModel)
        : undefined;
    const ctcEncoder =
      graphs.fusedCtcGraph && manifest.files.model !== undefined
        ? new NemoStreamingEncoder(await open('model'), meta, 'time-major')
        : undefined;
    return bundle(encoder, false, ctcEncoder, ctcHead, predictor, joiner, opened);
  } catch (err) {
    await Promise.allSettled(opened.map((s) => s.release()));
    throw err;
  }
}

function bundle(
  encoder: NemoStreamingEncoder,
  fusedCtc: boolean,
  ctcEncoder: NemoStreamingEncoder | undefined,
  ctcHead: NemoCtcHead | undefined,
  predictor: NemoTransducerPredictor | undefined,
  joiner: NemoTransducerJoiner | undefined,
  sessions: readonly ModelSession[],
): NemoStreamingModels {
  let released: Promise<void> | undefined;
  return {
    encoder,
    fusedCtc,
    ctcEncoder,
    ctcHead,
    predictor,
    joiner,
    provider: sessions[0]?.provider ?? 'cpu',
    release() {
      released ??= Promise.allSettled(sessions.map((s) => s.release())).then(() => undefined);
      return released;
    },
  };
}
