/**
 * Raw audio frames from a live client (WebSocket binary frames, base64 appends) to mono
 * float32 at the model's rate: decode the declared encoding, down-mix, resample. This
 * is the one place a live byte stream becomes model audio.
 *
 * Every frame must hold whole sample frames (bytes per sample x channels): a misaligned
 * frame is a client bug that would shift every later sample, so it is refused with
 * AUDIO_BAD_FORMAT rather than silently carried over.
 */
import { SpeechError } from '../common/errors.js';
import { downmixToMono } from './audio/pcm.js';
import { decodeRawPcm, RAW_PCM_ENCODINGS, type RawPcmEncoding } from './audio/raw-pcm.js';
import { checkResamplerRates, LinearResampler, MAX_SAMPLE_RATE } from './audio/resampler.js';
import { bytesPerSample } from './audio/sample-codec.js';

export interface LiveAudioFormat {
  readonly encoding: RawPcmEncoding;
  readonly sampleRate: number;
  readonly channels: number;
}

const SAMPLE_ENCODING = { linear16: 'pcm16', linear32: 'float32', mulaw: 'mulaw', alaw: 'alaw' } as const;

export class LiveAudioInput {
  readonly frameBytes: number;
  readonly #resampler: LinearResampler | undefined;
  /** Non-finite float samples replaced by 0 so far (linear32). */
  replacedSamples = 0;
  /** Input seconds received so far. */
  #inputFrames = 0;

  constructor(
    readonly format: LiveAudioFormat,
    readonly targetRate: number,
  ) {
    LiveAudioInput.check(format, targetRate);
    this.frameBytes = bytesPerSample(SAMPLE_ENCODING[format.encoding]) * format.channels;
    this.#resampler =
      format.sampleRate === targetRate ? undefined : new LinearResampler(format.sampleRate, targetRate);
  }

  /**
   * Throws the coded error the constructor would, without building anything: a route
   * checks a client's declared format at the handshake with it.
   */
  static check(format: LiveAudioFormat, targetRate: number): void {
    if (!RAW_PCM_ENCODINGS.includes(format.encoding)) {
      throw new SpeechError('AUDIO_BAD_FORMAT', `unsupported encoding '${format.encoding}'`, {
        supported: RAW_PCM_ENCODINGS,
      });
    }
    if (
      !Number.isInteger(format.sampleRate) ||
      format.sampleRate < 1 ||
      format.sampleRate > MAX_SAMPLE_RATE
    ) {
      throw new SpeechError(
        'AUDIO_BAD_SAMPLE_RATE',
        `sample rate must be an integer in 1..${MAX_SAMPLE_RATE} Hz`,
        {
          sampleRate: format.sampleRate,
        },
      );
    }
    if (!Number.isInteger(format.channels) || format.channels < 1 || format.channels > 64) {
      throw new SpeechError('AUDIO_BAD_FORMAT', 'channels must be an integer in 1..64', {
        channels: format.channels,
      });
    }
    checkResamplerRates(format.sampleRate, targetRate);
  }

  /** Seconds of client audio received. */
  get seconds(): number {
    return this.#inputFrames / this.format.sampleRate;
  }

  /** Converts one frame; returns mono samples at the target rate (possibly empty). */
  push(bytes: Uint8Array): Float32Array {
    if (bytes.length % this.frameBytes !== 0) {
      throw new SpeechError(
        'AUDIO_BAD_FORMAT',
        `a ${bytes.length}-byte frame is not a whole number of ${this.frameBytes}-byte sample frames (${this.format.encoding}, ${this.format.channels} channel(s))`,
        { bytes: bytes.length, frameBytes: this.frameBytes },
      );
    }
    const decoded = decodeRawPcm(bytes, { encoding: this.format.encoding, channels: this.format.channels });
    this.replacedSamples += decoded.replacedSamples;
    this.#inputFrames += bytes.length / this.frameBytes;
    const mono = downmixToMono(decoded.channels);
    return this.#resampler ? this.#resampler.resample(mono) : mono;
  }

  /** End of input: the resampler's tail. */
  flush(): Float32Array {
    return this.#resampler ? this.#resampler.flush() : new Float32Array(0);
  }
}
