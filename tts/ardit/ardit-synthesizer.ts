import { SpeechError } from '../../common/errors.js';
import type { MelVocoder } from '../audio/vocoder-stream.js';
import { melToSpeech, type PhraseMel } from '../speech/mel-to-speech.js';
import { checkSpeakOptions, planSpeech, voiceIndex } from '../speech/speech-plan.js';
import type { SpeakRequest, SpeechChunk, SpeechSynthesizer } from '../speech/speech-synthesizer.js';
import type { Lexicon } from '../text/index.js';
import { ArditGeneration, type ArditOptions } from './ardit-generator.js';
import type { ArditGraphs } from './ardit-graphs.js';

export interface ArditSynthesizerParts<Cache> {
  readonly id: string;
  readonly graphs: ArditGraphs<Cache>;
  readonly vocoder: MelVocoder & { readonly sampleRate: number };
  readonly lexicon: Lexicon;
  readonly provider: string;
  /** Voice name for a single-voice model (one without a voice list). Default 'default'. */
  readonly singleVoiceName?: string;
  /** Default voice of a multi-voice model. Default: the first. */
  readonly defaultVoice?: string;
  /** Sampling knobs passed to every generation (flow steps, CFG, chunking...). */
  readonly generation?: Omit<ArditOptions, 'seed' | 'speed' | 'voice' | 'signal'>;
  close?(): Promise<void>;
}

/**
 * ARDiT-style speech: each phrase is generated on its own (fresh KV cache, seed + phrase
 * index), patch by patch, and vocoded as the patches arrive, so the first audio leaves after
 * a few patches of the first phrase.
 */
export class ArditSynthesizer<Cache = unknown> implements SpeechSynthesizer {
  readonly family = 'ardit-tts';
  readonly id: string;
  readonly sampleRate: number;
  readonly provider: string;
  readonly voices: readonly string[];
  readonly defaultVoice: string;
  readonly #parts: ArditSynthesizerParts<Cache>;

  constructor(parts: ArditSynthesizerParts<Cache>) {
    const { info } = parts.graphs;
    if (info.numMels !== parts.vocoder.numMels) {
      throw new SpeechError(
        'MODEL_MANIFEST_INVALID',
        `${parts.id}: the acoustic model makes ${info.numMels} mel bins, the vocoder reads ${parts.vocoder.numMels}`,
      );
    }
    this.#parts = parts;
    this.id = parts.id;
    this.sampleRate = parts.vocoder.sampleRate;
    this.provider = parts.provider;
    this.voices = info.voices.length > 0 ? [...info.voices] : [parts.singleVoiceName ?? 'default'];
    this.defaultVoice = parts.defaultVoice ?? this.voices[0]!;
    if (!this.voices.includes(this.defaultVoice)) {
      throw new SpeechError(
        'TTS_VOICE_UNKNOWN',
        `${parts.id}: default voice ${this.defaultVoice} is not a voice of the model`,
      );
    }
  }

  speak(request: SpeakRequest): AsyncIterable<SpeechChunk> {
    // Everything that can be refused is checked here, before the first chunk is asked for.
    const { speed, seed } = checkSpeakOptions(request.speed, request.seed);
    const voice = voiceIndex(this.voices, request.voice ?? this.defaultVoice);
    const multi = this.#parts.graphs.info.voices.length > 0;
    const plan = planSpeech(request.text, this.#parts.lexicon);
    const generations = plan.map(
      (p, k) =>
        new ArditGeneration(this.#parts.graphs, p.ids, {
          ...this.#parts.generation,
          seed: seed + k,
          speed,
          voice: multi ? voice : undefined,
          signal: request.signal,
        }),
    );
    const phrases: PhraseMel[] = generations.map((g, k) => ({
      chunks: g,
      pauseFrames: plan[k]!.pauseFrames,
    }));
    return melToSpeech(phrases, this.#parts.vocoder, request.signal);
  }

  async close(): Promise<void> {
    await this.#parts.close?.();
  }
}
