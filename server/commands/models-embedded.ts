/**
 * Where models are found: the embedded defaults shipped under models/embedded/ (relative
 * to the package root), and the directories the user adds with --models-dir. A default
 * that is not installed is MODEL_NOT_FOUND naming the path and the flag and variable
 * that point elsewhere.
 */
import { existsSync, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { SpeechError } from '../../common/errors.js';
import { packageRoot } from '../../common/package-info.js';
import { type ConfigKey, envName, flagName } from '../config.js';

/** The embedded default for each role a model plays. */
export const embeddedModels = {
  /** Streaming NeMo hybrid FastConformer, trained on spoken digits. */
  primary: 'digits-fastconformer',
  /** Offline Paraformer, trained on spoken digits: the second pass. */
  secondPass: 'digits-paraformer',
  /**
   * Text-to-speech voices, in default order, and their shared vocoder. The first is the
   * default model: MaskGCT, the intelligible one (its model card); ARDiT is the faster one.
   */
  tts: ['tts-maskgct', 'tts-ardit'],
  ttsVocoder: 'tts-vocoder',
} as const;

export function embeddedModelsDir(): string {
  return join(packageRoot(), 'models', 'embedded');
}

/** `modelsDir` (PATH-style list) as absolute directories. */
export function extraModelDirs(modelsDir: string): string[] {
  return modelsDir
    .split(delimiter)
    .filter((d) => d.trim() !== '')
    .map((d) => resolve(d));
}

/**
 * The directory for a model setting: an explicit path (absolute, relative to the working
 * directory, or the id of a model under one of `searchDirs`), or the embedded default.
 */
export function resolveModelDir(
  value: string,
  key: Extract<ConfigKey, 'asrModel' | 'secondPassModel'>,
  searchDirs: readonly string[] = [],
): string {
  const how = `pass --${key === 'asrModel' ? 'model' : flagName(key)} DIR or set ${envName(key)}`;
  if (value === '') {
    const name = key === 'asrModel' ? embeddedModels.primary : embeddedModels.secondPass;
    const dir = join(embeddedModelsDir(), name);
    if (!isDirectory(dir)) {
      throw new SpeechError(
        'MODEL_NOT_FOUND',
        `the embedded default model ${name} is not installed at ${dir}; ${how} to use another model directory`,
        { dir, setting: key },
      );
    }
    return dir;
  }
  const direct = resolve(value);
  if (isDirectory(direct)) return direct;
  if (!isAbsolute(value) && !value.includes('/')) {
    for (const base of [...searchDirs, embeddedModelsDir()]) {
      const candidate = join(base, value);
      if (isDirectory(candidate)) return candidate;
    }
  }
  throw new SpeechError('MODEL_NOT_FOUND', `model directory ${direct} does not exist; ${how}`, {
    dir: direct,
    setting: key,
  });
}

function isDirectory(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

/**
 * The TTS model directories for `ttsModel`: each entry resolved like an ASR model (path, or
 * id under `searchDirs` or models/embedded). Empty: the embedded voices that are installed
 * (none installed is not an error: the server then answers speech requests with
 * MODEL_NOT_FOUND). ['none']: TTS off.
 */
export function resolveTtsModelDirs(values: readonly string[], searchDirs: readonly string[] = []): string[] {
  if (values.length === 1 && values[0] === 'none') return [];
  if (values.length === 0) {
    return embeddedModels.tts
      .map((name) => join(embeddedModelsDir(), name))
      .filter((dir) => isDirectory(dir));
  }
  return values.map((value) => {
    const direct = resolve(value);
    if (isDirectory(direct)) return direct;
    if (!isAbsolute(value) && !value.includes('/')) {
      for (const base of [...searchDirs, embeddedModelsDir()]) {
        const candidate = join(base, value);
        if (isDirectory(candidate)) return candidate;
      }
    }
    throw new SpeechError(
      'MODEL_NOT_FOUND',
      `TTS model directory ${direct} does not exist; pass --${flagName('ttsModel')} DIR or set ${envName('ttsModel')}`,
      {
        dir: direct,
        setting: 'ttsModel',
      },
    );
  });
}
