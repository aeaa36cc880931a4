/**
 * Finds the ffmpeg executable: `FFMPEG_PATH`, then `ffmpeg` on `PATH`, then the static
 * binary of the optional npm package `@ffmpeg-installer/ffmpeg`. The system build comes
 * before the bundled one because the bundled build is old (4.1, 2018) and distributions
 * patch theirs; the bundled one exists so that a bare `npm install` can decode mp3/opus.
 *
 * A set `FFMPEG_PATH` that does not point at an executable is an error, not a reason to
 * fall back: the operator asked for that binary.
 */

import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { SpeechError } from '../../common/errors.js';

export type FfmpegSource = 'env' | 'path' | 'bundled';

export interface FfmpegBinary {
  path: string;
  /** Where it was found. */
  source: FfmpegSource;
}

export interface LocateFfmpegOptions {
  /** Environment to read FFMPEG_PATH and PATH from; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Loads the bundled package's binary path; default: dynamic import of `@ffmpeg-installer/ffmpeg`. */
  loadBundled?: () => Promise<string | undefined>;
}

const BUNDLED_PACKAGE: string = '@ffmpeg-installer/ffmpeg';

async function isExecutable(path: string): Promise<boolean> {
  try {
    const info = await stat(path);
    if (!info.isFile()) return false;
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function loadBundledDefault(): Promise<string | undefined> {
  try {
    // Optional dependency: absent on unsupported platforms or with --omit=optional. The
    // package throws a plain string when its binary is missing, hence the broad catch.
    // The specifier is a variable so the type checker does not demand its (absent) types.
    const mod = (await import(BUNDLED_PACKAGE)) as { default?: { path?: unknown }; path?: unknown };
    const path = mod.default?.path ?? mod.path;
    return typeof path === 'string' ? path : undefined;
  } catch {
    return undefined;
  }
}

async function findOnPath(pathVariable: string | undefined): Promise<string | undefined> {
  if (!pathVariable) return undefined;
  const names = process.platform === 'win32' ? ['ffmpeg.exe', 'ffmpeg'] : ['ffmpeg'];
  for (const dir of pathVariable.split(delimiter)) {
    if (dir === '') continue;
    for (const name of names) {
      const candidate = join(dir, name);
      if (await isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}

let cached: { key: string; binary: FfmpegBinary } | undefined;

/**
 * Resolves the ffmpeg binary, or throws AUDIO_FFMPEG_MISSING naming what was tried.
 * Results for the real environment are cached (keyed by FFMPEG_PATH and PATH).
 */
export async function locateFfmpeg(options: LocateFfmpegOptions = {}): Promise<FfmpegBinary> {
  const env = options.env ?? process.env;
  const useCache = options.env === undefined && options.loadBundled === undefined;
  const key = `${env.FFMPEG_PATH ?? ''}\u0000${env.PATH ?? ''}`;
  if (useCache && cached?.key === key) return cached.binary;

  const fromEnv = env.FFMPEG_PATH;
  let binary: FfmpegBinary | undefined;
  if (fromEnv) {
    if (!(await isExecutable(fromEnv))) {
      throw new SpeechError('AUDIO_FFMPEG_MISSING', `FFMPEG_PATH=${fromEnv} is not an executable file`, {
        FFMPEG_PATH: fromEnv,
      });
    }
    binary = { path: fromEnv, source: 'env' };
  }
  if (binary === undefined) {
    const onPath = await findOnPath(env.PATH);
    if (onPath !== undefined) binary = { path: onPath, source: 'path' };
  }
  if (binary === undefined) {
    const bundled = await (options.loadBundled ?? loadBundledDefault)();
    if (bundled !== undefined && (await isExecutable(bundled))) binary = { path: bundled, source: 'bundled' };
  }
  if (binary === undefined) {
    throw new SpeechError(
      'AUDIO_FFMPEG_MISSING',
      'ffmpeg was not found: set FFMPEG_PATH, install ffmpeg on the PATH, or install the optional package @ffmpeg-installer/ffmpeg',
      { tried: ['FFMPEG_PATH', 'PATH', '@ffmpeg-installer/ffmpeg'] },
    );
  }
  if (useCache) cached = { key, binary };
  return binary;
}
