/**
 * Opening TTS models for the TTS bench (test/bench/tts.ts) and the evaluation synthesiser
 * (models/py/tts/eval/synthesize_eval.ts): which directories to measure by default, whether
 * one is a random-weight fixture, and a synthesizer with non-default sampling steps.
 *
 * loadSpeechModel takes no sampling knobs (the server serves the defaults), so a variant
 * with other MaskGCT T2S steps or ARDiT flow steps is assembled here from the same parts
 * it uses (acoustic graphs, the vocoder its manifest names, the lexicon, voice prompts).
 * If loadSpeechModel ever grows a `generation` option, this copy should go.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { loadTtsManifest } from '../../models/runtime/tts-manifest.js';
import { ArditModel } from '../../models/tts/ardit-model.js';
import { loadSpeechModel } from '../../models/tts/load-speech-model.js';
import { MaskGctModel } from '../../models/tts/maskgct-model.js';
import { VocoderModel } from '../../models/tts/vocoder-model.js';
import { ArditSynthesizer } from '../../tts/ardit/ardit-synthesizer.js';
import { MaskGctSynthesizer, type MaskGctVoice } from '../../tts/maskgct/maskgct-synthesizer.js';
import type { SpeechSynthesizer } from '../../tts/speech/speech-synthesizer.js';
import { defaultLexicon } from '../../tts/text/index.js';

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

/**
 * The model as the server opens it, or, with a step override, the same parts with that
 * `generation`. An override for the other family is refused rather than silently ignored.
 */
export async function openSynthesizer(dir: string, options: SynthesizerOptions): Promise<SpeechSynthesizer> {
  // One inter-op thread, as the server's engine worker opens its sessions.
  const session = { intraOpThreads: options.threads, interOpThreads: 1 };
  if (options.t2sSteps === undefined && options.flowSteps === undefined) {
    return loadSpeechModel(dir, { session });
  }
  const manifest = await loadTtsManifest(dir);
  if (manifest.family === 'vocos-vocoder') throw new Error(`${dir} is a vocoder, not a speech model`);
  if (manifest.family === 'ardit-tts' && options.t2sSteps !== undefined) {
    throw new Error(`${manifest.id}: --t2s-steps is a MaskGCT knob; ARDiT takes --flow-steps`);
  }
  if (manifest.family === 'maskgct-tts' && options.flowSteps !== undefined) {
    throw new Error(`${manifest.id}: --flow-steps is an ARDiT knob; MaskGCT takes --t2s-steps`);
  }
  const vocoder = await VocoderModel.load(findVocoder(dir, manifest.vocoder), {
    label: `${manifest.id}-vocoder`,
    ...session,
  });
  const lexicon = defaultLexicon();
  try {
    if (manifest.family === 'ardit-tts') {
      const graphs = await ArditModel.load(dir, session);
      return new ArditSynthesizer({
        id: manifest.id,
        graphs,
        vocoder,
        lexicon,
        provider: graphs.provider,
        defaultVoice: manifest.defaultVoice,
        generation: { flowSteps: options.flowSteps },
        close: async () => {
          await Promise.all([graphs.release(), vocoder.release()]);
        },
      });
    }
    const voices = manifest.voices.map((name) => readVoice(dir, name));
    const graphs = await MaskGctModel.load(dir, session);
    try {
      return new MaskGctSynthesizer({
        id: manifest.id,
        graphs,
        vocoder,
        lexicon,
        provider: graphs.provider,
        voices,
        defaultVoice: manifest.defaultVoice,
        generation: { t2sSteps: options.t2sSteps },
        close: async () => {
          await Promise.all([graphs.release(), vocoder.release()]);
        },
      });
    } catch (err) {
      await graphs.release();
      throw err;
    }
  } catch (err) {
    await vocoder.release();
    throw err;
  }
}

/** As loadSpeechModel looks it up: a sibling of the model directory, then models/embedded. */
function findVocoder(dir: string, id: string): string {
  const candidates = [path.join(path.dirname(path.resolve(dir)), id), path.join(embeddedDir, id)];
  const found = candidates.find((c) => existsSync(c) && statSync(c).isDirectory());
  if (found === undefined) throw new Error(`vocoder ${id} not found (tried ${candidates.join(', ')})`);
  return found;
}

/** voices/<name>.json, the prompt tokens models/py/tts/maskgct/export.py writes. */
function readVoice(dir: string, name: string): MaskGctVoice {
  const v = JSON.parse(readFileSync(path.join(dir, 'voices', `${name}.json`), 'utf8')) as {
    phones: number[];
    sem: number[];
    ac: number[];
  };
  return { name, prompt: { phones: v.phones, sem: Int32Array.from(v.sem), ac: Int32Array.from(v.ac) } };
}
