import { spawnSync } from 'node:child_process';
import { chmodSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isSpeechError } from '../../../common/errors.js';
import { locateFfmpeg } from '../../../streaming/audio/ffmpeg-binary.js';
import { makeTmpDir } from './helpers.js';

const tmp = makeTmpDir('ffmpeg-binary');
afterAll(() => tmp.cleanup());

const systemFfmpeg = spawnSync('sh', ['-c', 'command -v ffmpeg']).stdout.toString().trim();

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (err) {
    return isSpeechError(err) ? err.code : String(err);
  }
  return undefined;
}

describe('locateFfmpeg', () => {
  it('prefers FFMPEG_PATH', async () => {
    const fake = join(tmp.dir, 'my-ffmpeg');
    writeFileSync(fake, '#!/bin/sh\nexit 0\n');
    chmodSync(fake, 0o755);
    expect(await locateFfmpeg({ env: { FFMPEG_PATH: fake, PATH: process.env.PATH } })).toEqual({
      path: fake,
      source: 'env',
    });
  });

  it('refuses an FFMPEG_PATH that is not an executable file instead of silently falling back', async () => {
    const notExec = join(tmp.dir, 'not-exec');
    writeFileSync(notExec, 'x');
    chmodSync(notExec, 0o644);
    for (const bad of [join(tmp.dir, 'missing'), notExec, tmp.dir]) {
      expect(await codeOf(locateFfmpeg({ env: { FFMPEG_PATH: bad, PATH: process.env.PATH } }))).toBe(
        'AUDIO_FFMPEG_MISSING',
      );
    }
  });

  it('then finds the system ffmpeg on PATH', async () => {
    expect(systemFfmpeg).not.toBe('');
    const found = await locateFfmpeg({ env: { PATH: `/nonexistent-dir::${process.env.PATH}` } });
    expect(found).toEqual({ path: systemFfmpeg, source: 'path' });
  });

  it('then falls back to the bundled @ffmpeg-installer binary, which runs', async () => {
    const found = await locateFfmpeg({ env: { PATH: tmp.dir } });
    expect(found.source).toBe('bundled');
    expect(realpathSync(found.path)).toContain(join('node_modules', '@ffmpeg-installer'));
    const version = spawnSync(found.path, ['-version']);
    expect(version.status).toBe(0);
    expect(version.stdout.toString()).toMatch(/^ffmpeg version/);
  });

  it('AUDIO_FFMPEG_MISSING when nothing is found, or the bundled package is absent or broken', async () => {
    const none = async () => undefined;
    expect(await codeOf(locateFfmpeg({ env: { PATH: tmp.dir }, loadBundled: none }))).toBe(
      'AUDIO_FFMPEG_MISSING',
    );
    expect(await codeOf(locateFfmpeg({ env: {}, loadBundled: none }))).toBe('AUDIO_FFMPEG_MISSING');
    const gone = async () => join(tmp.dir, 'no-such-binary');
    expect(await codeOf(locateFfmpeg({ env: { PATH: tmp.dir }, loadBundled: gone }))).toBe(
      'AUDIO_FFMPEG_MISSING',
    );
  });

  it('without options, resolves from the real environment (and caches it)', async () => {
    const a = await locateFfmpeg();
    const b = await locateFfmpeg();
    expect(b).toBe(a);
    expect(spawnSync(a.path, ['-version']).status).toBe(0);
  });
});
