/**
 * Opens the ONNX sessions of a NeMo streaming model directory (families
 * nemo-ctc-streaming, nemo-transducer-streaming, nemo-hybrid-streaming) as runners.
 * Which graphs exist decides which heads the recognizer can offer.
 */
import { SpeechError } from '../../common/errors.js';
import type { ModelManifest } from '../runtime/manifest.js';
import type { OnnxModelInfo } from '../runtime/onnx-metadata.js';
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
  /**
   * Also open each encoder graph a second time with static shapes for one stream at the
   * default window (static-input-shapes.ts): onnxruntime then folds the graph's shape
   * arithmetic, which on a small model is a large part of a call (digits model: 922 ->
   * 559 nodes). Costs the encoder weights twice. 'auto' (default): when the graph file is
   * at most SINGLE_STREAM_GRAPH_AUTO_BYTES and keeps its weights inside (loading from
   * bytes cannot find external data).
   */
  readonly singleStreamGraphs?: boolean | 'auto';
  /**
   * Under WebGPU, leave the encoder's cache outputs in GPU memory (encoder-cache.ts), so
   * a batch of the same streams is fed them back without a trip through the host.
   * Default on; other providers return them to the host whatever this says.
   */
  readonly cachesOnDevice?: boolean;
}

/** Below this a second copy of the encoder weights is cheap next to what it saves. */
export const SINGLE_STREAM_GRAPH_AUTO_BYTES = 64 * 1024 * 1024;

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
  const cachesOnDevice = graphs.cachesOnDevice ?? true;
  /** An encoder graph's two cache outputs (positions 2 and 3 of the contract), kept on a GPU. */
  const deviceOutputs = (role: string): SessionOptions => {
    const outputs = manifest.onnx[role as keyof typeof manifest.onnx]?.outputs;
    if (!cachesOnDevice || (role !== 'model' && role !== 'encoder') || outputs === undefined) return {};
    return { keepOutputsOnDevice: outputs.slice(2, 4).map((o) => o.name) };
  };
  const open = async (role: 'model' | 'encoder' | 'decoder' | 'joiner' | 'ctcHead') => {
    const path = manifest.files[role];
    if (path === undefined)
      throw new SpeechError('MODEL_MANIFEST_INVALID', `${manifest.dir}: no ${role} file`);
    const session = await createSession(path, {
      ...options,
      ...deviceOutputs(role),
      label: `${manifest.id}/${role}`,
    });
    opened.push(session);
    return session;
  };
  const specialise = async (encoder: NemoStreamingEncoder, role: 'model' | 'encoder') => {
    const path = manifest.files[role];
    const info = manifest.onnx[role];
    if (
      path === undefined ||
      info === undefined ||
      !wantsSingleStreamGraph(info, graphs.singleStreamGraphs)
    ) {
      return encoder;
    }
    const session = await createSession(path, {
      ...options,
      ...deviceOutputs(role),
      label: `${manifest.id}/${role}@1x${encoder.geometry.windowSize}`,
      staticInputShapes: encoder.singleStreamShapes(),
    });
    opened.push(session);
    encoder.useSingleStreamSession(session);
    return encoder;
  };
  try {
    const meta = manifest.metadata;
    if (manifest.family === 'nemo-ctc-streaming') {
      const encoder = await specialise(
        new NemoStreamingEncoder(await open('model'), meta, 'time-major'),
        'model',
      );
      return bundle(encoder, true, undefined, undefined, undefined, undefined, opened);
    }
    const encoder = await specialise(
      new NemoStreamingEncoder(await open('encoder'), meta, 'channels-first'),
      'encoder',
    );
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
        ? await specialise(new NemoStreamingEncoder(await open('model'), meta, 'time-major'), 'model')
        : undefined;
    return bundle(encoder, false, ctcEncoder, ctcHead, predictor, joiner, opened);
  } catch (err) {
    await Promise.allSettled(opened.map((s) => s.release()));
    throw err;
  }
}

/** From what the manifest already read of the file: its size, and whether its weights are inside. */
function wantsSingleStreamGraph(info: OnnxModelInfo, setting: boolean | 'auto' = 'auto'): boolean {
  if (setting !== 'auto') return setting;
  return info.size <= SINGLE_STREAM_GRAPH_AUTO_BYTES && !info.externalData;
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
