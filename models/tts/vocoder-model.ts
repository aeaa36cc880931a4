/**
 * The shared TTS vocoder graph (models/embedded/tts-vocoder/vocoder.onnx, trained and
 * exported by models/py/tts/vocoder/): a causal Vocos-tiny with its iSTFT inside.
 *
 *   mel    float32 [1, 80, F]     the contract's log-mel (tts/mel-spec.ts), not normalised
 *   audio  float32 [1, F * 320]   16 kHz
 *
 * metadata_props carry the contract (sample_rate, n_fft, hop_length, n_mels, log_floor)
 * and the streaming geometry: output block t (samples [320t, 320t + 320)) depends on mel
 * frames t - 1 - receptive_left_frames .. t + lookahead_frames. Both are checked on load.
 * The model is shared and stateless; a stream (tts/audio/vocoder-stream.ts) owns the state.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { SpeechError } from '../../common/errors.js';
import {
  createSession,
  float32Data,
  float32Tensor,
  type ModelSession,
  type ModelTensor,
  type OnnxMetadata,
  readOnnxMetadata,
  type SessionOptions,
} from '../runtime/index.js';

export const VOCODER_FILE = 'vocoder.onnx';
export const VOCODER_MODEL_TYPE = 'vocos-vocoder';

/** What the runtime requires of the graph (the shared audio contract). */
const contract = { sample_rate: 16000, n_fft: 1024, hop_length: 320, n_mels: 80 } as const;

export class VocoderModel {
  readonly #session: ModelSession;
  readonly sampleRate: number;
  readonly hopLength: number;
  readonly numMels: number;
  /** Mel frames before frame t that frame t's spectrum depends on (the causal convolutions). */
  readonly receptiveLeftFrames: number;
  /** Frames after block t that block t's samples depend on (the iSTFT overlap). */
  readonly lookaheadFrames: number;

  private constructor(session: ModelSession, meta: OnnxMetadata) {
    this.#session = session;
    this.sampleRate = meta.int('sample_rate');
    this.hopLength = meta.int('hop_length');
    this.numMels = meta.int('n_mels');
    this.receptiveLeftFrames = meta.int('receptive_left_frames');
    this.lookaheadFrames = meta.int('lookahead_frames');
  }

  /** Opens `path` (the .onnx, or a directory holding vocoder.onnx) and checks its contract. */
  static async load(path: string, options: SessionOptions = {}): Promise<VocoderModel> {
    const file = (await isDirectory(path)) ? join(path, VOCODER_FILE) : path;
    const session = await createSession(file, { label: 'tts-vocoder', ...options });
    try {
      const meta = await readOnnxMetadata(file);
      checkContract(session, meta);
      return new VocoderModel(session, meta);
    } catch (err) {
      await session.release();
      throw err;
    }
  }

  get provider(): string {
    return this.#session.provider;
  }

  /** Audio [numFrames · 320] of a frame-major log-mel [numFrames, 80] (numFrames >= 1). */
  async synthesize(logMel: Float32Array, numFrames: number): Promise<Float32Array> {
    const { numMels } = this;
    if (!(Number.isInteger(numFrames) && numFrames >= 1) || logMel.length !== numFrames * numMels) {
      throw new SpeechError(
        'MODEL_FEED_INVALID',
        `tts-vocoder: expects numFrames >= 1 frames of ${numMels} mels, got ${logMel.length} values for ${numFrames} frames`,
        { numFrames, values: logMel.length },
      );
    }
    const channelMajor = new Float32Array(numFrames * numMels);
    for (let t = 0; t < numFrames; t++) {
      for (let m = 0; m < numMels; m++) channelMajor[m * numFrames + t] = logMel[t * numMels + m]!;
    }
    const out = await this.#session.run({ mel: float32Tensor(channelMajor, [1, numMels, numFrames]) });
    const audio = float32Data(out.audio as ModelTensor, 'audio');
    if (audio.length !== numFrames * this.hopLength) {
      throw new SpeechError(
        'MODEL_CONTRACT_MISMATCH',
        `tts-vocoder: ${numFrames} frames gave ${audio.length} samples, expected ${numFrames * this.hopLength}`,
      );
    }
    return audio;
  }

  release(): Promise<void> {
    return this.#session.release();
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false; // createSession reports the missing file
  }
}

function checkContract(session: ModelSession, meta: OnnxMetadata): void {
  const inputs = session.inputs.map((i) => i.name).join(',');
  const outputs = session.outputs.map((o) => o.name).join(',');
  const problems: string[] = [];
  if (inputs !== 'mel' || outputs !== 'audio') {
    problems.push(`inputs ${inputs} and outputs ${outputs} (expected mel and audio)`);
  }
  const type = meta.get('model_type');
  if (type !== VOCODER_MODEL_TYPE)
    problems.push(`model_type '${type ?? ''}' (expected ${VOCODER_MODEL_TYPE})`);
  for (const [key, want] of Object.entries(contract)) {
    const got = meta.get(key);
    if (got === undefined || Number(got) !== want)
      problems.push(`${key} ${got ?? 'missing'} (expected ${want})`);
  }
  for (const key of ['receptive_left_frames', 'lookahead_frames']) {
    if (!meta.has(key)) problems.push(`${key} missing`);
  }
  if (problems.length > 0) {
    throw new SpeechError(
      'MODEL_CONTRACT_MISMATCH',
      `${session.path}: not a speechstream TTS vocoder: ${problems.join('; ')}`,
      { file: session.path, problems },
    );
  }
}
