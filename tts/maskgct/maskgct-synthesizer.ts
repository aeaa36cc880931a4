import { SpeechError } from '../../common/errors.js';
import type { MelVocoder } from '../audio/vocoder-stream.js';
import { melToSpeech, type PhraseMel } from '../speech/mel-to-speech.js';
import { checkSpeakOptions, type PlannedPhrase, planSpeech, voiceIndex } from '../speech/speech-plan.js';
import type { SpeakRequest, SpeechChunk, SpeechSynthesizer } from '../speech/speech-synthesizer.js';
import type { Lexicon } from '../text/index.js';
import { type MaskGctOptions, type MaskGctPrompt, MaskGctSynthesis } from './maskgct-generator.js';
import type { MaskGctGraphs } from './maskgct-graphs.js';

/** A named voice: the tokens of a reference utterance that prompt the first phrase. */
export interface MaskGctVoice {
  readonly name: string;
  readonly prompt: MaskGctPrompt;
}

export interface MaskGctSynthesizerParts {
  readonly id: string;
  readonly graphs: MaskGctGraphs;
  readonly vocoder: MelVocoder & { readonly sampleRate: number };
  readonly lexicon: Lexicon;
  readonly provider: string;
  /** At least one. MaskGCT has no speaker embedding: the prompt is the voice. */
  readonly voices: readonly MaskGctVoice[];
  readonly defaultVoice?: string;
  readonly generation?: Omit<MaskGctOptions, 'seed' | 'speed' | 'voice' | 'signal' | 'onStep' | 'numFrames'>;
  close?(): Promise<void>;
}

/**
 * MaskGCT-style speech: phrase by phrase, each phrase decoded whole by mask-predict (T2S then
 * S2A), prompted by the voice's reference tokens (first phrase) or the previous phrase's tail,
 * then vocoded. Audio therefore leaves a phrase at a time.
 */
export class MaskGctSynthesizer implements SpeechSynthesizer {
  readonly family = 'maskgct-tts';
  readonly id: string;
  readonly sampleRate: number;
  readonly provider: string;
  readonly voices: readonly string[];
  readonly defaultVoice: string;
  readonly #parts: MaskGctSynthesizerParts;

  constructor(parts: MaskGctSynthesizerParts) {
    if (parts.voices.length === 0) {
      throw new SpeechError(
        'MODEL_MANIFEST_INVALID',
        `${parts.id}: a MaskGCT model needs at least one voice prompt`,
      );
    }
    if (parts.graphs.info.numMels !== parts.vocoder.numMels) {
      throw new SpeechError(
        'MODEL_MANIFEST_INVALID',
        `${parts.id}: the codec makes ${parts.graphs.info.numMels} mel bins, the vocoder reads ${parts.vocoder.numMels}`,
      );
    }
    this.#parts = parts;
    this.id = parts.id;
    this.sampleRate = parts.vocoder.sampleRate;
    this.provider = parts.provider;
    this.voices = parts.voices.map((v) => v.name);
    this.defaultVoice = parts.defaultVoice ?? this.voices[0]!;
    voiceIndex(this.voices, this.defaultVoice);
  }

  speak(request: SpeakRequest): AsyncIterable<SpeechChunk> {
    const { speed, seed } = checkSpeakOptions(request.speed, request.seed);
    const voice = this.#parts.voices[voiceIndex(this.voices, request.voice ?? this.defaultVoice)]!;
    const plan = planSpeech(request.text, this.#parts.lexicon);
    const synthesis = new MaskGctSynthesis(
      this.#parts.graphs,
      plan.map((p) => p.ids),
      // The voice's name also picks its duration-table row (models with `durations`).
      {
        ...this.#parts.generation,
        seed,
        speed,
        voice: voice.name,
        prompt: voice.prompt,
        signal: request.signal,
      },
    );
    return melToSpeech(phrasesOf(synthesis, plan), this.#parts.vocoder, request.signal);
  }

  async close(): Promise<void> {
    await this.#parts.close?.();
  }
}

/** One MelChunk per phrase (MaskGctSynthesis) -> the phrase with its pause. */
async function* phrasesOf(
  synthesis: MaskGctSynthesis,
  plan: readonly PlannedPhrase[],
): AsyncGenerator<PhraseMel> {
  let k = 0;
  for await (const chunk of synthesis) {
    yield { chunks: [chunk], pauseFrames: plan[k]!.pauseFrames };
    k++;
  }
}
