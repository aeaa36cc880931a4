import { spawnSync } from 'node:child_process';
import { createReadStream, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { isSpeechError } from '../../../common/errors.js';
import { decodeAudio } from '../../../streaming/audio/decode-audio.js';
import { locateFfmpeg } from '../../../streaming/audio/ffmpeg-binary.js';
import { type DecodedAudioInfo, decodeWithFfmpeg } from '../../../streaming/audio/ffmpeg-decode.js';
import { probeAudio } from '../../../streaming/audio/probe-audio.js';
import { wavHeader } from '../../../streaming/audio/wav-writer.js';
import { clip, clipsDir, collect, ffmpeg, makeTmpDir, maxAbsDiff } from './helpers.js';

const tmp = makeTmpDir('decode');
afterAll(() => tmp.cleanup());
afterEach(() => vi.unstubAllEnvs());

/** Content duration per ffprobe (container duration minus the decoder's start offset). */
function ffprobeSeconds(path: string): number {
  const r = spawnSync('ffprobe', [
    '-v',
    'error',
    '-show_entries',
    'format=duration,start_time',
    '-of',
    'json',
    path,
  ]);
  const format = (JSON.parse(r.stdout.toString()) as { format: { duration: string; start_time?: string } })
    .format;
  return Number(format.duration) - (Number(format.start_time) || 0);
}

async function failure(p: Promise<unknown>): Promise<{ code?: string; details?: unknown }> {
  try {
    await p;
  } catch (err) {
    if (isSpeechError(err)) return { code: err.code, details: err.details };
    return { code: `not a SpeechError: ${String(err)}` };
  }
  return {};
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** ffmpeg processes whose parent is this test process. */
async function ffmpegChildren(): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      const m = /^\d+ \((.*)\) \S+ (\d+)/.exec(stat);
      if (m && m[1] === 'ffmpeg' && Number(m[2]) === process.pid) pids.push(Number(entry));
    } catch {
      // exited while we looked
    }
  }
  return pids;
}

const CLIPS = readdirSync(clipsDir).filter((f) => !f.endsWith('.txt'));

describe('decodeAudio on every real clip', () => {
  it.each(CLIPS)('%s decodes to mono 16 kHz with the expected duration (within 1 percent)', async (name) => {
    const path = clip(name);
    let info: DecodedAudioInfo | undefined;
    const samples = await collect(decodeAudio(path, { sampleRate: 16000, onInfo: (i) => (info = i) }));
    const expected = ffprobeSeconds(path);
    expect(Math.abs(samples.length / 16000 - expected) / expected).toBeLessThan(0.01);
    expect(info?.decoder).toBe(name.endsWith('.wav') ? 'wav' : 'ffmpeg');
    let energy = 0;
    for (const x of samples) energy += x * x;
    expect(Math.sqrt(energy / samples.length)).toBeGreaterThan(0.005); // real audio, not silence
  });
});

describe('formats made on the fly by the system ffmpeg', () => {
  const made: Record<string, string> = {};
  beforeAll(() => {
    const src = clip('jfk.wav');
    made.aac = join(tmp.dir, 'jfk.m4a'); // ffmpeg puts the moov index at the end: not streamable
    made.vorbis = join(tmp.dir, 'jfk.ogg');
    made.adpcm = join(tmp.dir, 'jfk-adpcm.wav');
    ffmpeg(['-i', src, '-c:a', 'aac', '-b:a', '64k', '-y', made.aac]);
    ffmpeg(['-i', src, '-c:a', 'libvorbis', '-y', made.vorbis]);
    ffmpeg(['-i', src, '-c:a', 'adpcm_ms', '-y', made.adpcm]);
  });

  it.each(['aac', 'vorbis', 'adpcm'])('%s decodes from a path and from a stream', async (kind) => {
    const path = made[kind]!;
    const fromPath = await collect(decodeAudio(path, { sampleRate: 16000 }));
    let info: DecodedAudioInfo | undefined;
    const fromStream = await collect(
      decodeAudio(createReadStream(path, { highWaterMark: 1000 }), {
        sampleRate: 16000,
        onInfo: (i) => (info = i),
      }),
    );
    // jfk.wav is exactly 11 s; codecs add at most a few frames of priming.
    expect(Math.abs(fromPath.length / 16000 - 11) / 11).toBeLessThan(0.01);
    expect(Math.abs(fromStream.length / 16000 - 11) / 11).toBeLessThan(0.01);
    // ADPCM is a WAV we do not decode natively: it must have been handed to ffmpeg.
    expect(info?.decoder).toBe('ffmpeg');
    // An m4a from a stream goes through a temporary file, which must be gone afterwards.
    expect(readdirSync(tmpdir()).filter((d) => d.startsWith('speechstream-spool-'))).toEqual([]);
  });
});

describe('one conversion path', () => {
  it.each(['stereo-two-speakers.wav', 'speech-8k-169s.wav'])(
    '%s: the native WAV path and the ffmpeg path give the same samples',
    async (name) => {
      const native = await collect(decodeAudio(clip(name), { sampleRate: 16000 }));
      const viaFfmpeg = await collect(decodeWithFfmpeg(clip(name), { sampleRate: 16000 }));
      expect(native.length).toBeGreaterThan(16000 * 4);
      expect(maxAbsDiff(native, viaFfmpeg)).toBeLessThanOrEqual(1e-6);
    },
  );

  it('a Readable fed in tiny pieces decodes exactly like the file path', async () => {
    const path = clip('stereo-two-speakers.wav');
    const a = await collect(decodeAudio(path, { sampleRate: 8000 }));
    const b = await collect(decodeAudio(createReadStream(path, { highWaterMark: 3 }), { sampleRate: 8000 }));
    expect(b).toEqual(a);
  });

  it('honours maxChunkSamples', async () => {
    let largest = 0;
    let total = 0;
    for await (const c of decodeAudio(clip('jfk.mp3'), { sampleRate: 16000, maxChunkSamples: 1234 })) {
      largest = Math.max(largest, c.length);
      total += c.length;
    }
    expect(largest).toBe(1234);
    expect(total).toBeGreaterThan(16000 * 10);
  });
});

describe('the bundled ffmpeg fallback', () => {
  it('decodes mp3, opus and 24-bit flac when the system ffmpeg is hidden from PATH', async () => {
    const names = ['jfk.mp3', 'vad-speech.opus', 'jfk-stereo-24bit-44k.flac'];
    const expected = names.map((name) => ffprobeSeconds(clip(name)));
    vi.stubEnv('FFMPEG_PATH', '');
    vi.stubEnv('PATH', tmp.dir); // no ffmpeg in there
    const bundled = await locateFfmpeg();
    expect(bundled.source).toBe('bundled');
    for (const [i, name] of names.entries()) {
      const pids: number[] = [];
      let exe = '';
      const samples = await collect(
        decodeWithFfmpeg(clip(name), {
          sampleRate: 16000,
          onFfmpegStart: (pid) => {
            pids.push(pid);
            exe = realpathSync(`/proc/${pid}/exe`);
          },
        }),
      );
      expect(pids.length).toBe(1);
      expect(exe).toContain('@ffmpeg-installer');
      expect(Math.abs(samples.length / 16000 - expected[i]!) / expected[i]!).toBeLessThan(0.01);
    }
  });
});

describe('failures', () => {
  const bad: Record<string, string> = {};
  beforeAll(() => {
    const random = new Uint8Array(50_000);
    for (let i = 0; i < random.length; i++) random[i] = (i * 2654435761) >>> 13;
    bad.random = join(tmp.dir, 'random.bin');
    writeFileSync(bad.random, random);
    bad.headOfMp3 = join(tmp.dir, 'head.mp3');
    writeFileSync(bad.headOfMp3, readFileSync(clip('jfk.mp3')).subarray(0, 300));
    bad.text = join(tmp.dir, 'notes.wav');
    writeFileSync(bad.text, 'this is not audio at all\n'.repeat(100));
    bad.empty = join(tmp.dir, 'empty.mp3');
    writeFileSync(bad.empty, '');
  });

  it.each(['random', 'headOfMp3', 'text'])(
    "%s gives AUDIO_DECODE_FAILED with ffmpeg's message (path and stream)",
    { timeout: 20_000 },
    async (kind) => {
      const fromPath = await failure(collect(decodeAudio(bad[kind]!, { sampleRate: 16000 })));
      expect(fromPath.code).toBe('AUDIO_DECODE_FAILED');
      expect((fromPath.details as { ffmpegError?: string }).ffmpegError).toMatch(/\S/);
      const fromStream = await failure(
        collect(decodeAudio(createReadStream(bad[kind]!), { sampleRate: 16000 })),
      );
      expect(fromStream.code).toBe('AUDIO_DECODE_FAILED');
    },
  );

  it('an mp3 cut mid-stream decodes what is there (ffmpeg recovers whole frames)', async () => {
    const full = readFileSync(clip('jfk.mp3'));
    const cut = join(tmp.dir, 'cut.mp3');
    writeFileSync(cut, full.subarray(0, Math.floor(full.length / 2)));
    const samples = await collect(decodeAudio(cut, { sampleRate: 16000 }));
    expect(samples.length / 16000).toBeGreaterThan(4.5);
    expect(samples.length / 16000).toBeLessThan(6.5);
  });

  it('empty input, a missing file and a directory are coded errors', async () => {
    expect((await failure(collect(decodeAudio(bad.empty!, { sampleRate: 16000 })))).code).toBe(
      'AUDIO_DECODE_FAILED',
    );
    expect((await failure(collect(decodeAudio(Readable.from([]), { sampleRate: 16000 })))).code).toBe(
      'AUDIO_DECODE_FAILED',
    );
    expect((await failure(collect(decodeAudio(join(tmp.dir, 'nope.wav'), { sampleRate: 16000 })))).code).toBe(
      'AUDIO_FILE_NOT_FOUND',
    );
    expect(
      (await failure(collect(decodeWithFfmpeg(join(tmp.dir, 'nope.mp3'), { sampleRate: 16000 })))).code,
    ).toBe('AUDIO_FILE_NOT_FOUND');
    expect((await failure(collect(decodeAudio(tmp.dir, { sampleRate: 16000 })))).code).toBe(
      'AUDIO_FILE_NOT_FOUND',
    );
  });

  it('a malformed WAV is reported as such, not handed to ffmpeg', async () => {
    const bytes = new Uint8Array(readFileSync(clip('jfk.wav')));
    new DataView(bytes.buffer).setUint16(22, 0, true); // channels = 0
    const path = join(tmp.dir, 'zero-channels.wav');
    writeFileSync(path, bytes);
    const pids: number[] = [];
    const result = await failure(
      collect(decodeAudio(path, { sampleRate: 16000, onFfmpegStart: (p) => pids.push(p) })),
    );
    expect(result.code).toBe('AUDIO_WAV_MALFORMED');
    expect(pids).toEqual([]);
    const truncated = join(tmp.dir, 'truncated.wav');
    writeFileSync(truncated, readFileSync(clip('jfk.wav')).subarray(0, 100_000));
    expect((await failure(collect(decodeAudio(truncated, { sampleRate: 16000 })))).code).toBe(
      'AUDIO_WAV_TRUNCATED',
    );
  });

  it('a source stream that breaks mid-way is AUDIO_DECODE_FAILED on both paths', {
    timeout: 20_000,
  }, async () => {
    const breaking = (path: string) =>
      Readable.from(
        (async function* () {
          const bytes = readFileSync(path);
          yield bytes.subarray(0, 20_000);
          throw new Error('connection reset by peer');
        })(),
      );
    const wav = await failure(collect(decodeAudio(breaking(clip('jfk.wav')), { sampleRate: 16000 })));
    expect(wav.code).toBe('AUDIO_DECODE_FAILED');
    const mp3 = await failure(collect(decodeAudio(breaking(clip('jfk.mp3')), { sampleRate: 16000 })));
    expect(mp3.code).toBe('AUDIO_DECODE_FAILED');
    expect(await ffmpegChildren()).toEqual([]);
  });

  it('a throwing onFfmpegStart callback surfaces its error and leaves no process', {
    timeout: 20_000,
  }, async () => {
    const boom = new Error('boom');
    const onFfmpegStart = () => {
      throw boom;
    };
    await expect(
      collect(decodeWithFfmpeg(clip('jfk.mp3'), { sampleRate: 16000, onFfmpegStart })),
    ).rejects.toBe(boom);
    expect(await ffmpegChildren()).toEqual([]);
  });

  it('bad options are rejected before anything starts', async () => {
    expect((await failure(collect(decodeAudio(clip('jfk.wav'), { sampleRate: 0 })))).code).toBe(
      'AUDIO_BAD_SAMPLE_RATE',
    );
    expect(
      (await failure(collect(decodeAudio(clip('jfk.wav'), { sampleRate: 16000, maxChunkSamples: 0 })))).code,
    ).toBe('CONFIG_INVALID');
  });
});

describe('lifetime: abort, break, backpressure', () => {
  const long = clip('speech-8k-169s.wav');

  it('aborting kills ffmpeg, rejects the pending read and leaves no process', async () => {
    const controller = new AbortController();
    let pid = 0;
    const it = decodeWithFfmpeg(long, {
      sampleRate: 16000,
      maxChunkSamples: 1600,
      signal: controller.signal,
      onFfmpegStart: (p) => (pid = p),
    });
    expect((await it.next()).done).toBe(false);
    expect(isAlive(pid)).toBe(true);
    controller.abort();
    await expect(it.next()).rejects.toMatchObject({ name: 'AbortError' });
    expect(isAlive(pid)).toBe(false);
  });

  it('breaking out of the loop kills ffmpeg before the loop statement completes', async () => {
    let pid = 0;
    for await (const _ of decodeWithFfmpeg(long, { sampleRate: 16000, onFfmpegStart: (p) => (pid = p) }))
      break;
    expect(pid).toBeGreaterThan(0);
    expect(isAlive(pid)).toBe(false);
  });

  it('an abort while ffmpeg is still starting leaves no process behind', async () => {
    const controller = new AbortController();
    const it = decodeWithFfmpeg(long, { sampleRate: 16000, signal: controller.signal });
    const pending = it.next();
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(await ffmpegChildren()).toEqual([]);
  });

  it('an already-aborted signal rejects at once, on both paths', async () => {
    const signal = AbortSignal.abort();
    await expect(collect(decodeAudio(clip('jfk.wav'), { sampleRate: 16000, signal }))).rejects.toMatchObject({
      name: 'AbortError',
    });
    await expect(
      collect(decodeWithFfmpeg(clip('jfk.mp3'), { sampleRate: 16000, signal })),
    ).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(await ffmpegChildren()).toEqual([]);
  });

  it('aborting the native WAV path rejects the pending read too', async () => {
    const controller = new AbortController();
    // A source that stalls after its first bytes, like a client that stops sending.
    const header = wavHeader({ sampleRate: 16000, channelCount: 1 });
    const stalled = new Readable({ read() {} });
    stalled.push(header);
    stalled.push(new Uint8Array(3200));
    const it = decodeAudio(stalled, { sampleRate: 16000, signal: controller.signal });
    expect((await it.next()).value?.length).toBe(1600); // 3200 bytes of 16-bit mono at the same rate
    const pending = it.next();
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(stalled.destroyed).toBe(true);
  });

  it('a slow consumer holds ffmpeg back: it blocks on a full pipe instead of racing ahead', async () => {
    let pid = 0;
    const it = decodeWithFfmpeg(long, {
      sampleRate: 16000,
      maxChunkSamples: 160,
      onFfmpegStart: (p) => (pid = p),
    });
    await it.next();
    await sleep(1500); // unthrottled, ffmpeg writes all 5.4 MB of its output in well under this
    const io = readFileSync(`/proc/${pid}/io`, 'utf8');
    const written = Number(/wchar: (\d+)/.exec(io)![1]);
    expect(isAlive(pid)).toBe(true);
    expect(written).toBeLessThan(1_000_000); // pipe + stream buffers, not the 5.4 MB output
    let total = 160;
    for await (const c of { [Symbol.asyncIterator]: () => it }) total += c.length;
    expect(Math.abs(total / 16000 - 169.152)).toBeLessThan(0.01);
  });
});

describe('two hours of 8 kHz audio streamed through a Readable', () => {
  const seconds = 7200;
  const rate = 8000;
  const amplitude = 8000;

  function* wavBytes(): Generator<Uint8Array> {
    const dataBytes = seconds * rate * 2;
    yield wavHeader({ sampleRate: rate, channelCount: 1, format: 'pcm16', dataBytes });
    const block = new Uint8Array(64 * 1024);
    const view = new DataView(block.buffer);
    // 250 Hz: 32 samples per period, so every block holds whole periods.
    for (let i = 0; i < block.length / 2; i++)
      view.setInt16(i * 2, Math.round(amplitude * Math.sin((2 * Math.PI * i) / 32)), true);
    for (let left = dataBytes; left > 0; left -= block.length)
      yield block.subarray(0, Math.min(block.length, left));
  }

  it.each(['ffmpeg', 'native'])(
    '%s: bounded chunks, RSS growth far below the 460 MB decoded, right length and level',
    { timeout: 60_000 },
    async (path) => {
      const source = Readable.from(wavBytes());
      const options = { sampleRate: 16000 };
      const chunks = path === 'ffmpeg' ? decodeWithFfmpeg(source, options) : decodeAudio(source, options);
      const rss0 = process.memoryUsage().rss;
      let peak = rss0;
      let total = 0;
      let largest = 0;
      let n = 0;
      let middleRms = 0;
      for await (const c of chunks) {
        total += c.length;
        largest = Math.max(largest, c.length);
        if (++n % 100 === 0) peak = Math.max(peak, process.memoryUsage().rss);
        if (n === 3600) middleRms = Math.sqrt(c.reduce((s, x) => s + x * x, 0) / c.length);
      }
      expect(total).toBe(seconds * 16000);
      expect(largest).toBeLessThanOrEqual(16000);
      expect(peak - rss0).toBeLessThan(150 * 1024 * 1024);
      expect(middleRms).toBeCloseTo(amplitude / 32768 / Math.SQRT2, 3);
    },
  );
});

describe('probeAudio', () => {
  it('reads WAV headers natively, including streamed ones (duration from the file size)', async () => {
    expect(await probeAudio(clip('stereo-two-speakers.wav'))).toEqual({
      decoder: 'wav',
      container: 'wav',
      codec: 'pcm16',
      sampleRate: 16000,
      channels: 2,
      durationSeconds: 5,
    });
    const header = wavHeader({ sampleRate: 8000, channelCount: 1 });
    const streamed = join(tmp.dir, 'streamed.wav');
    writeFileSync(streamed, Buffer.concat([header, Buffer.alloc(8000 * 2 * 3)]));
    expect((await probeAudio(streamed)).durationSeconds).toBe(3);
  });

  it('asks ffmpeg for anything else', async () => {
    const info = await probeAudio(clip('vad-speech.opus'));
    expect(info).toMatchObject({
      decoder: 'ffmpeg',
      container: 'ogg',
      codec: 'opus',
      sampleRate: 48000,
      channels: 1,
    });
    expect(Math.abs(info.durationSeconds! - ffprobeSeconds(clip('vad-speech.opus')))).toBeLessThan(0.05);
  });

  it('coded errors for missing files and undecodable content', async () => {
    expect((await failure(probeAudio(join(tmp.dir, 'missing.mp3')))).code).toBe('AUDIO_FILE_NOT_FOUND');
    const junk = join(tmp.dir, 'junk.bin');
    writeFileSync(junk, 'definitely not audio');
    expect((await failure(probeAudio(junk))).code).toBe('AUDIO_DECODE_FAILED');
  });
});
