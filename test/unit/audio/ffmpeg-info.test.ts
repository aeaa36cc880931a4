import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  channelsOfLayout,
  lastFfmpegErrorLine,
  parseFfmpegInputInfo,
} from '../../../streaming/audio/ffmpeg-info.js';
import { clip } from './helpers.js';

function describeInput(path: string): string[] {
  return spawnSync('ffmpeg', ['-hide_banner', '-nostdin', '-i', path]).stderr.toString().split(/\r?\n/);
}

describe('parseFfmpegInputInfo on real ffmpeg output', () => {
  it('reads container, codec, rate, channels and duration of a WAV (checked against its header)', () => {
    const info = parseFfmpegInputInfo(describeInput(clip('stereo-two-speakers.wav')));
    // stereo-two-speakers.wav: 16 kHz stereo 16-bit, 320000 data bytes = 5 s.
    expect(info).toEqual({
      container: 'wav',
      codec: 'pcm_s16le',
      sampleRate: 16000,
      channels: 2,
      durationSeconds: 5,
    });
  });

  it('takes the first audio stream and ignores attached pictures', () => {
    const info = parseFfmpegInputInfo(describeInput(clip('vad-speech.mp3')));
    expect(info.container).toBe('mp3');
    expect(info.codec).toBe('mp3');
    expect(info.sampleRate).toBe(44100);
    expect(info.channels).toBe(2);
    expect(info.durationSeconds).toBeGreaterThan(2);
  });

  it('stops at the output section so output streams are never mistaken for the input', () => {
    const lines = [
      "Input #0, wav, from 'a.wav':",
      '  Duration: 00:01:02.50, bitrate: 256 kb/s',
      '  Stream #0:0: Audio: pcm_s16le ([1][0][0][0] / 0x0001), 8000 Hz, mono, s16, 128 kb/s',
      'Stream mapping:',
      "Output #0, wav, to 'pipe:':",
      '  Stream #0:0: Audio: pcm_f32le, 44100 Hz, 5.1, flt',
    ];
    expect(parseFfmpegInputInfo(lines)).toEqual({
      container: 'wav',
      codec: 'pcm_s16le',
      sampleRate: 8000,
      channels: 1,
      durationSeconds: 62.5,
    });
    expect(parseFfmpegInputInfo(['  Duration: N/A, bitrate: N/A'])).toEqual({});
  });

  it('maps ffmpeg channel layouts to counts', () => {
    expect(channelsOfLayout('mono')).toBe(1);
    expect(channelsOfLayout('stereo')).toBe(2);
    expect(channelsOfLayout('5.1(side)')).toBe(6);
    expect(channelsOfLayout('7.1')).toBe(8);
    expect(channelsOfLayout('quad(side)')).toBe(4);
    expect(channelsOfLayout('3 channels')).toBe(3);
    expect(channelsOfLayout('unknown-layout')).toBeUndefined();
  });

  it('lastFfmpegErrorLine skips blanks and the progress/summary noise', () => {
    expect(
      lastFfmpegErrorLine([
        'x.mp3: Invalid data found when processing input',
        'Conversion failed!',
        '',
        'size=0kB',
      ]),
    ).toBe('x.mp3: Invalid data found when processing input');
    expect(lastFfmpegErrorLine([])).toBeUndefined();
  });
});
