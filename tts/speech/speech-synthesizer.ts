/**
 * What the server, the CLI and the benches need of a text-to-speech model, whatever its
 * family: a voice list and a pull-based stream of 16 kHz audio for one request. The model
 * is shared and stateless between requests; each `speak` call owns its own generation
 * state, so concurrent requests never see each other.
 */

export interface SpeakRequest {
  readonly text: string;
  /** One of `voices`; default `defaultVoice`. */
  readonly voice?: string;
  /** Speaking rate, 0.25..4 (> 1 is faster). Default 1. */
  readonly speed?: number;
  /** Sampling seed (integer >= 0). Default 0: the same text gives the same audio. */
  readonly seed?: number;
  /** Aborting stops generation before the next model call. */
  readonly signal?: AbortSignal;
}

/** One piece of audio as it is made. */
export interface SpeechChunk {
  /** Mono float samples at `sampleRate`, in [-1, 1]. */
  readonly samples: Float32Array;
  /** Index of the phrase this audio belongs to (pauses belong to the phrase before). */
  readonly phrase: number;
}

export interface SpeechSynthesizer {
  /** Model id (its directory name or manifest id). */
  readonly id: string;
  /** 'ardit-tts' | 'maskgct-tts'. */
  readonly family: string;
  readonly sampleRate: number;
  /** Execution provider actually used by the acoustic model. */
  readonly provider: string;
  readonly voices: readonly string[];
  readonly defaultVoice: string;
  /**
   * Audio for `request.text`, phrase by phrase, as soon as each piece is final. Pulled: no
   * model call runs ahead of the consumer by more than one chunk. Throws SpeechError
   * TTS_INPUT_INVALID (nothing to say) or TTS_VOICE_UNKNOWN before any audio.
   */
  speak(request: SpeakRequest): AsyncIterable<SpeechChunk>;
  close(): Promise<void>;
}
