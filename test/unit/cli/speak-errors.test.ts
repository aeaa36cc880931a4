// `speechstream speak` refusals: each is the catalogue's coded error and exit status, and
// none leaves an output file behind. Plus the pure pieces: text limits, destination and
// format choice, encoder arguments.
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ErrorCode, errorCatalogue, isSpeechError } from '../../../common/errors.js';
import { embeddedModels, embeddedModelsDir } from '../../../server/commands/models-embedded.js';
import { encoderArgs } from '../../../server/commands/speak-encode.js';
import { speakDestination } from '../../../server/commands/speak-options.js';
import { checkText, speakText } from '../../../server/commands/speak-text.js';
import { type CliRun, runCli } from './helpers.js';
import { ardit } from './speak-helpers.js';

function expectCoded(run: CliRun, code: ErrorCode, message?: RegExp): void {
  expect(run.code, run.stderr).toBe(errorCatalogue[code].exit);
  expect(run.stderr).toMatch(new RegExp(`^speechstream: error ${code}: `));
  if (message) expect(run.stderr).toMatch(message);
  expect(run.stdout).toBe('');
}

const embeddedInstalled = embeddedModels.tts.some((name) => existsSync(path.join(embeddedModelsDir(), name)));

describe('speechstream speak refusals', () => {
  let dir: string;
  let out: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'speechstream-speak-err-'));
    out = path.join(dir, 'out.wav');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('empty or unpronounceable text is TTS_INPUT_INVALID (exit 3)', async () => {
    expectCoded(await runCli(['speak', '   ', '-m', ardit, '-o', out]), 'TTS_INPUT_INVALID', /empty/);
    // No argument and nothing on stdin.
    expectCoded(await runCli(['speak', '-m', ardit, '-o', out]), 'TTS_INPUT_INVALID', /empty/);
    expectCoded(await runCli(['speak', '!!! ...', '-m', ardit, '-o', out]), 'TTS_INPUT_INVALID');
    // No argument with a terminal on stdin: nothing to wait for.
    const tty = Object.assign(Readable.from([]), { isTTY: true });
    expectCoded(
      await runCli(['speak', '-m', ardit, '-o', out], { stdin: tty }),
      'TTS_INPUT_INVALID',
      /argument/,
    );
    expect(existsSync(out)).toBe(false);
  });

  it('an unknown voice is TTS_VOICE_UNKNOWN (exit 2) naming the voices', async () => {
    const run = await runCli(['speak', 'Hello.', '-m', ardit, '--voice', 'nobody', '-o', out]);
    expectCoded(run, 'TTS_VOICE_UNKNOWN', /nobody.*default/);
    expect(existsSync(out)).toBe(false);
  });

  it('no TTS model is MODEL_NOT_FOUND (exit 4)', async () => {
    expectCoded(await runCli(['speak', 'Hello.', '-m', 'none', '-o', out]), 'MODEL_NOT_FOUND', /turned off/);
    expectCoded(
      await runCli(['speak', 'Hello.', '-m', path.join(dir, 'no-model'), '-o', out]),
      'MODEL_NOT_FOUND',
      /no-model/,
    );
    expectCoded(
      await runCli(['speak', 'Hello.', '-o', out], {
        env: { PATH: process.env.PATH, SPEECHSTREAM_TTS_MODEL: 'none' },
      }),
      'MODEL_NOT_FOUND',
    );
    expectCoded(await runCli(['speak', '--voices', '-m', 'none']), 'MODEL_NOT_FOUND');
    expect(existsSync(out)).toBe(false);
  });

  it('with no model given, speaks with the first embedded voice', async () => {
    expect(embeddedInstalled).toBe(true);
    const wav = `${out}.embedded.wav`;
    const run = await runCli(['speak', 'Hello.', '-o', wav, '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ model: embeddedModels.tts[0] });
    expect(existsSync(wav)).toBe(true);
    await rm(wav);
  });

  it('text over ttsMaxChars is LIMIT_TEXT_TOO_LONG (exit 6), from the flag or the environment', async () => {
    expectCoded(
      await runCli(['speak', 'Hello there.', '-m', ardit, '--tts-max-chars', '5', '-o', out]),
      'LIMIT_TEXT_TOO_LONG',
      /12 characters.*limit is 5/,
    );
    const env = { PATH: process.env.PATH, SPEECHSTREAM_TTS_MAX_CHARS: '8' };
    expectCoded(
      await runCli(['speak', '-m', ardit, '-o', out], { env, stdin: Readable.from(['Hello there.']) }),
      'LIMIT_TEXT_TOO_LONG',
    );
    // 5 characters of 4 bytes each are 5 characters.
    expect(checkText('😀😀😀😀😀', 5)).toBe('😀😀😀😀😀');
    expect(existsSync(out)).toBe(false);
  });

  it('stops reading stdin once the text cannot fit the limit', async () => {
    let pulled = 0;
    const endless = new Readable({
      read() {
        pulled++;
        this.push(Buffer.alloc(1024, 0x61));
      },
    });
    const err = await speakText(undefined, endless, 100).catch((e: unknown) => e);
    expect(isSpeechError(err, 'LIMIT_TEXT_TOO_LONG')).toBe(true);
    expect(pulled).toBeLessThan(10);
    expect(endless.destroyed).toBe(true);
  });

  it('bad flags are CONFIG_INVALID (exit 2), checked before any output exists', async () => {
    expectCoded(
      await runCli(['speak', 'Hi.', '-m', ardit, '--speed', 'fast', '-o', out]),
      'CONFIG_INVALID',
      /--speed/,
    );
    expectCoded(
      await runCli(['speak', 'Hi.', '-m', ardit, '--speed', '9', '-o', out]),
      'CONFIG_INVALID',
      /speed/,
    );
    expectCoded(
      await runCli(['speak', 'Hi.', '-m', ardit, '--seed', '-1', '-o', out]),
      'CONFIG_INVALID',
      /seed/,
    );
    expectCoded(
      await runCli(['speak', 'Hi.', '-m', ardit, '-o', path.join(dir, 'missing-dir', 'x.wav')]),
      'CONFIG_INVALID',
      /cannot write/,
    );
    expectCoded(
      await runCli(['speak', 'Hi.', '-m', ardit, '-o', path.join(dir, 'missing-dir', 'x.mp3')]),
      'CONFIG_INVALID',
      /cannot write/,
    );
    // Binary audio on a terminal helps no one: say where it should go instead.
    expectCoded(await runCli(['speak', 'Hi.', '-m', ardit], { tty: true }), 'CONFIG_INVALID', /-o FILE/);
    const usage = await runCli(['speak', 'Hi.', '-m', ardit, '-f', 'ogg', '-o', out]);
    expect(usage.code).toBe(2);
    expect(existsSync(out)).toBe(false);
  });

  it('a missing ffmpeg or player is a coded error (exit 5) before anything is written', async () => {
    const mp3 = path.join(dir, 'out.mp3');
    expectCoded(
      await runCli(['speak', 'Hi.', '-m', ardit, '-o', mp3], {
        env: { PATH: process.env.PATH, FFMPEG_PATH: path.join(dir, 'no-ffmpeg') },
      }),
      'AUDIO_FFMPEG_MISSING',
    );
    expect(existsSync(mp3)).toBe(false);
    expectCoded(
      await runCli(['speak', 'Hi.', '-m', ardit, '--play', '-o', out], {
        env: { PATH: path.join(dir, 'empty') },
      }),
      'AUDIO_PLAYER_MISSING',
      /play, ffplay/,
    );
    expect(existsSync(out)).toBe(false);
  });

  it('an ffmpeg that fails is AUDIO_ENCODE_FAILED (exit 5) with its last words', async () => {
    const fake = path.join(dir, 'failing-ffmpeg');
    writeFileSync(fake, '#!/bin/sh\necho "Unknown encoder libmp3lame" >&2\nexit 1\n');
    chmodSync(fake, 0o755);
    const run = await runCli(['speak', 'Hello world.', '-m', ardit, '-o', path.join(dir, 'fail.mp3')], {
      env: { PATH: process.env.PATH, FFMPEG_PATH: fake },
    });
    expectCoded(run, 'AUDIO_ENCODE_FAILED', /mp3: Unknown encoder libmp3lame/);
  });
});

describe('speak destinations and encoders', () => {
  it('takes the format from --format, else the -o extension, else wav', () => {
    expect(speakDestination({ output: 'a.MP3' }, false)).toEqual({
      output: 'a.MP3',
      format: 'mp3',
      play: false,
    });
    expect(speakDestination({ output: 'a.ogg' }, false).format).toBe('opus');
    expect(speakDestination({ output: 'a.m4a' }, false).format).toBe('aac');
    expect(speakDestination({ output: 'a.raw' }, false).format).toBe('pcm');
    expect(speakDestination({ output: 'a.xyz' }, false).format).toBe('wav');
    expect(speakDestination({ output: 'a.wav', format: 'flac' }, false).format).toBe('flac');
    expect(speakDestination({ output: '-' }, true)).toEqual({ output: '-', format: 'wav', play: false });
    // Nothing said: stdout when it is not a terminal; --play alone writes nothing.
    expect(speakDestination({}, false)).toEqual({ output: '-', format: 'wav', play: false });
    expect(speakDestination({ play: true }, true)).toEqual({ output: undefined, format: 'wav', play: true });
  });

  it('lets ffmpeg pick the muxer for a known extension and names it otherwise', () => {
    const args = encoderArgs('aac', 16000, 'x.m4a');
    expect(args.slice(0, 11)).toEqual([
      '-hide_banner',
      '-loglevel',
      'error',
      '-f',
      's16le',
      '-ar',
      '16000',
      '-ac',
      '1',
      '-i',
      'pipe:0',
    ]);
    expect(args.slice(11)).toEqual(['-c:a', 'aac', '-b:a', '64k', '-y', 'x.m4a']);
    expect(encoderArgs('aac', 16000, undefined).slice(11)).toEqual([
      '-c:a',
      'aac',
      '-b:a',
      '64k',
      '-f',
      'adts',
      '-y',
      'pipe:1',
    ]);
    expect(encoderArgs('flac', 16000, 'x.bin').slice(11)).toEqual([
      '-c:a',
      'flac',
      '-f',
      'flac',
      '-y',
      'x.bin',
    ]);
  });
});
