/**
 * The Silero VAD v5 graph (snakers4/silero-vad, the `silero_vad.onnx` sherpa-onnx also
 * uses): one call scores one window of audio and carries an LSTM state to the next.
 *
 *   input  float32 [1, context + window]  the window with the previous `context` samples before it
 *   state  float32 [2, 1, 128]             zeros at the start of a stream
 *   sr     int64 scalar                    16000 or 8000
 *   output float32 [1, 1]                  speech probability
 *   stateN float32 [2, 1, 128]
 *
 * 16 kHz: 512 new samples + 64 of context (32 ms); 8 kHz: 256 + 32. The model is shared
 * and stateless; the caller owns the state (asr/vad/silero-vad.ts). The file is the
 * user's: it is not shipped, so it is loaded from a path and checked on load.
 */
import { SpeechError } from '../../common/errors.js';
import {
  createSession,
  float32Data,
  float32Tensor,
  int64Tensor,
  type ModelSession,
  type ModelTensor,
  type SessionOptions,
} from '../runtime/index.js';

export const SILERO_STATE_SIZE = 2 * 1 * 128;

/** Window geometry per supported sample rate. */
export const sileroWindows: Readonly<Record<number, { readonly window: number; readonly context: number }>> =
  {
    16000: { window: 512, context: 64 },
    8000: { window: 256, context: 32 },
  };

export class SileroVadModel {
  readonly #session: ModelSession;
  readonly sampleRate: number;
  /** New samples per call. */
  readonly windowSamples: number;
  /** Samples of the previous window prepended to each call. */
  readonly contextSamples: number;
  readonly #sr: ModelTensor;

  private constructor(session: ModelSession, sampleRate: number) {
    this.#session = session;
    this.sampleRate = sampleRate;
    const geometry = sileroWindows[sampleRate]!;
    this.windowSamples = geometry.window;
    this.contextSamples = geometry.context;
    this.#sr = int64Tensor([sampleRate], []);
  }

  /**
   * Opens `path` (MODEL_NOT_FOUND when absent) and checks it is a Silero v5 graph
   * (MODEL_CONTRACT_MISMATCH naming what differs, e.g. a v4 export with h/c inputs).
   */
  static async load(
    path: string,
    options: SessionOptions & { readonly sampleRate?: number } = {},
  ): Promise<SileroVadModel> {
    const sampleRate = options.sampleRate ?? 16000;
    if (sileroWindows[sampleRate] === undefined) {
      throw new SpeechError(
        'ASR_UNSUPPORTED_OPTION',
        `Silero VAD runs at 16000 or 8000 Hz, not ${sampleRate}`,
        {
          sampleRate,
        },
      );
    }
    const { sampleRate: _rate, ...sessionOptions } = options;
    const session = await createSession(path, { label: 'silero-vad', ...sessionOptions });
    try {
      checkContract(session);
    } catch (err) {
      await session.release();
      throw err;
    }
    return new SileroVadModel(session, sampleRate);
  }

  get provider(): string {
    return this.#session.provider;
  }

  /**
   * Scores one window. `input` holds context + window samples; `state` (2*128 floats) is
   * read and then overwritten with the next state. Returns the speech probability.
   */
  async run(input: Float32Array, state: Float32Array): Promise<number> {
    const size = this.contextSamples + this.windowSamples;
    if (input.length !== size || state.length !== SILERO_STATE_SIZE) {
      throw new SpeechError(
        'MODEL_FEED_INVALID',
        `silero-vad: expects ${size} input samples and a ${SILERO_STATE_SIZE}-float state, got ${input.length} and ${state.length}`,
      );
    }
    // Tensors wrap the caller's buffers without copying.
    const out = await this.#session.run({
      input: float32Tensor(input, [1, size]),
      state: float32Tensor(state, [2, 1, 128]),
      sr: this.#sr,
    });
    const probability = float32Data(out.output as ModelTensor, 'output')[0] ?? 0;
    const next = float32Data(out.stateN as ModelTensor, 'stateN');
    if (next.length !== SILERO_STATE_SIZE) {
      throw new SpeechError(
        'MODEL_CONTRACT_MISMATCH',
        `silero-vad: stateN has ${next.length} values, expected 256`,
      );
    }
    state.set(next);
    return probability;
  }

  release(): Promise<void> {
    return this.#session.release();
  }
}

function checkContract(session: ModelSession): void {
  const inputs = session.inputs.map((i) => i.name).join(',');
  const outputs = session.outputs.map((o) => o.name).join(',');
  if (inputs !== 'input,state,sr' || outputs !== 'output,stateN') {
    throw new SpeechError(
      'MODEL_CONTRACT_MISMATCH',
      `${session.path}: not a Silero VAD v5 graph (inputs ${inputs}; outputs ${outputs}; ` +
        'expected inputs input,state,sr and outputs output,stateN)',
      { file: session.path, inputs, outputs },
    );
  }
}
