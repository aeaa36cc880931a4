import type { MelChunk } from '../ardit/ardit-generator.js';
import { type MelVocoder, VocoderStream } from '../audio/vocoder-stream.js';
import { silenceMel } from './speech-plan.js';
import type { SpeechChunk } from './speech-synthesizer.js';

/** Mel of one phrase as it is made, and the silence to put after it. */
export interface PhraseMel {
  readonly chunks: AsyncIterable<MelChunk> | Iterable<MelChunk>;
  readonly pauseFrames: number;
}

/**
 * Vocodes consecutive phrases through one VocoderStream, so the audio is continuous across
 * phrase joins (pauses are silent mel, vocoded like speech). Each piece of audio leaves as
 * soon as no later frame can change it; the consumer pulls, so a slow reader pauses the
 * acoustic model too.
 */
export async function* melToSpeech(
  phrases: AsyncIterable<PhraseMel> | Iterable<PhraseMel>,
  vocoder: MelVocoder,
  signal?: AbortSignal,
): AsyncGenerator<SpeechChunk> {
  const stream = new VocoderStream(vocoder);
  let phrase = 0;
  for await (const p of phrases) {
    for await (const chunk of p.chunks) {
      signal?.throwIfAborted();
      const samples = await stream.push(chunk.logMel);
      if (samples.length > 0) yield { samples, phrase };
    }
    if (p.pauseFrames > 0) {
      signal?.throwIfAborted();
      const samples = await stream.push(silenceMel(p.pauseFrames, vocoder.numMels));
      if (samples.length > 0) yield { samples, phrase };
    }
    phrase++;
  }
  signal?.throwIfAborted();
  const tail = await stream.flush();
  if (tail.length > 0) yield { samples: tail, phrase: Math.max(0, phrase - 1) };
}
