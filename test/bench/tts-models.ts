/**
 * Opening TTS models for the TTS bench (test/bench/tts.ts) and the evaluation synthesiser
 * (models/py/tts/eval/synthesize_eval.ts): which directories to measure by default, whether
 * one is a random-weight fixture, and a synthesizer with non-default sampling steps.

 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadSpeechModel } from '../../models/tts/load-speech-model.js';
import type { SpeechSynthesizer } from '../../tts/speech/speech-synthesizer.js';

export const repoRoot = path.resolve(import.meta.dirname, '../..');
const embeddedDir = path.join(repoRoot, 'models/embedded');

/** The trained voices, in the order they are reported. */
export const EMBEDDED_TTS = ['tts-ardit', 'tts-maskgct'].map((d) => path.join(embeddedDir, d));
/** Random-weight stand-ins, measured only when no trained model is present (or when asked). */
export const FIXTURE_TTS = ['ardit-tiny', 'maskgct-tiny'].map((d) =>
  path.join(repoRoot, 'test/fixtures/tts', d),
);

const hasManifest = (dir: string) => existsSync(path.join(dir, 'speechstream.json'));

/** The embedded TTS models present; the fixtures (flagged `fixture`) when there are none. */
export function defaultTtsDirs(): { dirs: string[]; fellBack: boolean } {
  const present = EMBEDDED_TTS.filter(hasManifest);
  return present.length > 0 ? { dirs: present, fellBack: false } : { dirs: FIXTURE_TTS, fellBack: true };
}

/**
 * Whether a directory holds random weights: anything under test/fixtures, or a manifest that
 * says so (the fixture makers write "Random-weight" into the description).
 */
export function isFixture(dir: string): boolean {
  const rel = path.relative(path.join(repoRoot, 'test/fixtures'), path.resolve(dir));
  if (!rel.startsWith('..') && !path.isAbsolute(rel)) return true;
  try {
    const manifest = JSON.parse(readFileSync(path.join(dir, 'speechstream.json'), 'utf8')) as {
      description?: string;
    };
    return /random[- ]weight/i.test(manifest.description ?? '');
  } catch {
    return false;
  }
}

export interface SynthesizerOptions {
  readonly threads: number;
  /** MaskGCT T2S mask-predict steps (default 12, the synthesizer's). */
  readonly t2sSteps?: number;
  /** ARDiT Euler steps per patch (default 4, the synthesizer's). */
  readonly flowSteps?: number;
}

/** The model as the server opens it, or with other sampling steps (loadSpeechModel `generation`). */
export async function openSynthesizer(dir: string, options: SynthesizerOptions): Promise<SpeechSynthesizer> {
  // One inter-op thread, as the server's engine worker opens its sessions.
  const session = { intraOpThreads: options.threads, interOpThreads: 1 };
  return loadSpeechModel(dir, {
    session,
    generation: { flowSteps: options.flowSteps, t2sSteps: options.t2sSteps },
  });
}
