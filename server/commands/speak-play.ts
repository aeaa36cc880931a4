/**
 * `speak --play`: raw s16le into SoX's `play` or ffmpeg's `ffplay`, whichever is on PATH
 * first, so speech starts as soon as the first chunk is made. The pipe's backpressure
 * paces generation at the player's real-time rate. A machine with neither gets
 * AUDIO_PLAYER_MISSING saying what to install, before any model loads.
 */
import { SpeechError } from '../../common/errors.js';
import { findOnPath } from './listen-recorder.js';
import { openProcessSink } from './speak-process-sink.js';
import type { AudioSink } from './speak-sink.js';

export const playerNames = ['play', 'ffplay'] as const;
export type PlayerName = (typeof playerNames)[number];

export interface Player {
  readonly name: PlayerName;
  readonly path: string;
}

export function pickPlayer(env: NodeJS.ProcessEnv): Player {
  for (const name of playerNames) {
    const path = findOnPath(name, env.PATH);
    if (path !== undefined) return { name, path };
  }
  throw new SpeechError(
    'AUDIO_PLAYER_MISSING',
    `--play needs an audio player and none was found on PATH (looked for ${playerNames.join(', ')}): ` +
      'install SoX (Debian/Ubuntu: sudo apt install sox; macOS: brew install sox) or ffmpeg, ' +
      'or write a file with -o instead',
    { looked: [...playerNames] },
  );
}

export function playerArgs(name: PlayerName, sampleRate: number): string[] {
  if (name === 'play') {
    return [
      '-q',
      '-t',
      'raw',
      '-r',
      String(sampleRate),
      '-e',
      'signed-integer',
      '-b',
      '16',
      '-c',
      '1',
      '-L',
      '-',
    ];
  }
  // The raw demuxers default to one channel; `sample_rate` is their option on every ffmpeg
  // version (-ac/-ch_layout changed between releases).
  return [
    '-hide_banner',
    '-loglevel',
    'error',
    '-nodisp',
    '-autoexit',
    '-f',
    's16le',
    '-sample_rate',
    String(sampleRate),
    '-i',
    'pipe:0',
  ];
}

export function openPlayerSink(player: Player, sampleRate: number): Promise<AudioSink> {
  return openProcessSink({
    name: player.name,
    command: player.path,
    args: playerArgs(player.name, sampleRate),
    killOnInterrupt: true,
    failure: (detail) =>
      new SpeechError('INTERNAL', `the audio player (${player.name}) failed: ${detail}`, {
        player: player.name,
      }),
  });
}
