/**
 * What ffmpeg says about its input on stderr (the `Input #0` block it prints before
 * decoding), so callers learn duration, rate and channels without ffprobe, which the
 * bundled fallback does not ship. Only the first input and its first audio stream count.
 */

export interface AudioSourceInfo {
  /** Container/demuxer name as ffmpeg prints it (e.g. 'mp3', 'ogg', 'wav', 'mov,mp4,m4a,3gp,3g2,mj2'). */
  container?: string;
  /** Codec of the first audio stream (e.g. 'mp3', 'opus', 'pcm_s16le'). */
  codec?: string;
  sampleRate?: number;
  channels?: number;
  /** Container duration; absent when ffmpeg prints N/A (pipes of some formats). */
  durationSeconds?: number;
}

const INPUT_RE = /^Input #0, (.+), from /;
const DURATION_RE = /^\s*Duration: (\d+):(\d{2}):(\d{2}(?:\.\d+)?)/;
const AUDIO_STREAM_RE = /^\s*Stream #0:\d+\S*: Audio: ([^,]+), (\d+) Hz, ([^,]+)/;

const NAMED_LAYOUTS: Record<string, number> = {
  mono: 1,
  stereo: 2,
  downmix: 2,
  quad: 4,
  hexagonal: 6,
  octagonal: 8,
  hexadecagonal: 16,
};

/** Channel count of an ffmpeg layout name: 'stereo' 2, '5.1(side)' 6, '3 channels' 3. */
export function channelsOfLayout(layout: string): number | undefined {
  const name = layout.trim();
  const counted = /^(\d+) channels/.exec(name);
  if (counted) return Number(counted[1]);
  const dotted = /^(\d+)\.(\d+)/.exec(name);
  if (dotted) return Number(dotted[1]) + Number(dotted[2]);
  return NAMED_LAYOUTS[name.replace(/\(.*\)$/, '')];
}

/** Parses ffmpeg's stderr lines (any log level that includes `info`). */
export function parseFfmpegInputInfo(lines: readonly string[]): AudioSourceInfo {
  const info: AudioSourceInfo = {};
  let inInput = false;
  for (const line of lines) {
    const input = INPUT_RE.exec(line);
    if (input) {
      inInput = true;
      info.container = input[1];
      continue;
    }
    if (!inInput) continue;
    if (/^(Input #[1-9]|Output #|Stream mapping)/.test(line)) break;
    const duration = DURATION_RE.exec(line);
    if (duration) {
      info.durationSeconds = Number(duration[1]) * 3600 + Number(duration[2]) * 60 + Number(duration[3]);
      continue;
    }
    const audio = AUDIO_STREAM_RE.exec(line);
    if (audio && info.codec === undefined) {
      info.codec = audio[1]!.trim().split(' ')[0];
      info.sampleRate = Number(audio[2]);
      const channels = channelsOfLayout(audio[3]!);
      if (channels !== undefined) info.channels = channels;
    }
  }
  return info;
}

const NOISE_RE = /^(size=|video:|Conversion failed!|Press \[q\])/;
const ERROR_RE = /error|invalid|partial file|not found|could not|cannot|failed|unsupported|no such|empty/i;

/**
 * The stderr line that best explains a failure: the last one that reads like an error,
 * else the last meaningful line (progress and summary lines are skipped).
 */
export function lastFfmpegErrorLine(lines: readonly string[]): string | undefined {
  let fallback: string | undefined;
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!.trim();
    if (line === '' || NOISE_RE.test(line)) continue;
    if (ERROR_RE.test(line) && !/^Output file is empty/.test(line)) return line;
    fallback ??= line;
  }
  return fallback;
}
