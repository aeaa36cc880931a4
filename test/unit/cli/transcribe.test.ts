// `speechstream transcribe` in-process with the random-weight fixture models: output
// shapes of every format, monotonic times, several files with a missing one, stdin,
// 2-pass, an offline model on a long file (energy cuts and VAD), and coded failures.
import { createReadStream, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dataDir, type JsonTranscript, jsonLines, runCli, vadModel, zooDir } from './helpers.js';

const haveData = existsSync(path.join(dataDir, 'clips', 'jfk.wav'));
const jfk = path.join(dataDir, 'clips', 'jfk.wav');
const digit = path.join(dataDir, 'fsdd', 'recordings', '3_theo_0.wav');
const long = path.join(dataDir, 'clips', 'speech-8k-169s.wav');
const hybrid = path.join(zooDir, 'nemo-streaming-hybrid');
const paraformer = path.join(zooDir, 'paraformer-offline');

function expectWellTimed(t: JsonTranscript): void {
  expect(t.duration).toBeGreaterThan(0);
  let previousEnd = 0;
  for (const s of t.segments) {
    expect(s.start).toBeGreaterThanOrEqual(previousEnd);
    expect(s.end).toBeGreaterThanOrEqual(s.start);
    expect(s.end).toBeLessThanOrEqual(t.duration + 0.5);
    expect(s.text.trim()).not.toBe('');
    previousEnd = s.end;
    let previousStart = -1;
    for (const w of s.words) {
      expect(w.start).toBeGreaterThanOrEqual(previousStart);
      expect(w.end).toBeGreaterThanOrEqual(w.start);
      expect(w.confidence).toBeGreaterThanOrEqual(0);
      expect(w.confidence).toBeLessThanOrEqual(1);
      previousStart = w.start;
    }
  }
  expect(t.words).toEqual(t.segments.flatMap((s) => s.words));
  expect(t.text).toBe(t.segments.map((s) => s.text).join(' '));
}

/** `HH:MM:SS,mmm` / `HH:MM:SS.mmm` -> seconds. */
function cueSeconds(time: string): number {
  const [h, m, s] = time.replace(',', '.').split(':').map(Number);
  return h! * 3600 + m! * 60 + s!;
}

function parseCues(body: string, separator: ',' | '.', numbered: boolean) {
  const time = separator === ',' ? '\\d\\d:\\d\\d:\\d\\d,\\d{3}' : '\\d\\d:\\d\\d:\\d\\d\\.\\d{3}';
  const re = new RegExp(`^${numbered ? '(\\d+)\\n' : '()'}(${time}) --> (${time})\\n(.+)$`);
  return body
    .split('\n\n')
    .filter((b) => b.trim() !== '')
    .map((block) => {
      const m = re.exec(block);
      expect(m, `cue block ${JSON.stringify(block)}`).not.toBeNull();
      return { index: Number(m![1]), start: cueSeconds(m![2]!), end: cueSeconds(m![3]!), text: m![4]! };
    });
}

function expectMonotonicCues(cues: { start: number; end: number }[]): void {
  let previousEnd = 0;
  for (const c of cues) {
    expect(c.start).toBeGreaterThanOrEqual(previousEnd);
    expect(c.end).toBeGreaterThanOrEqual(c.start);
    previousEnd = c.end;
  }
}

describe.runIf(haveData)('speechstream transcribe', () => {
  it('writes json, txt, srt and vtt for one clip, all from the same transcript', async () => {
    const json = await runCli(['transcribe', '--model', hybrid, '--format', 'json', jfk]);
    expect(json.stderr).toBe('');
    expect(json.code).toBe(0);
    const [t, ...more] = jsonLines(json.stdout);
    expect(more).toHaveLength(0);
    expect(t!.file).toBe(jfk);
    expect(t!.duration).toBeCloseTo(11, 1);
    expect(t!.text.length).toBeGreaterThan(0);
    expect(t!.words.length).toBeGreaterThan(0);
    expect(Object.keys(t!.words[0]!).sort()).toEqual(['confidence', 'end', 'start', 'word']);
    expectWellTimed(t!);

    const txt = await runCli(['transcribe', '--model', hybrid, jfk]);
    expect(txt.code).toBe(0);
    expect(txt.stdout).toBe(t!.segments.map((s) => `${s.text}\n`).join(''));

    const srt = await runCli(['transcribe', '--model', hybrid, '-f', 'srt', jfk]);
    expect(srt.code).toBe(0);
    const srtCues = parseCues(srt.stdout, ',', true);
    expect(srtCues.map((c) => c.index)).toEqual(srtCues.map((_, i) => i + 1));
    expect(srtCues.length).toBeGreaterThanOrEqual(t!.segments.length);
    expect(srtCues.map((c) => c.text).join(' ')).toBe(t!.words.map((w) => w.word).join(' '));
    expectMonotonicCues(srtCues);
    for (const c of srtCues) expect(c.text.length).toBeLessThanOrEqual(84);

    const vtt = await runCli(['transcribe', '--model', hybrid, '-f', 'vtt', jfk]);
    expect(vtt.code).toBe(0);
    expect(vtt.stdout.startsWith('WEBVTT\n\n')).toBe(true);
    const vttCues = parseCues(vtt.stdout.slice('WEBVTT\n\n'.length), '.', false);
    expect(vttCues.map((c) => [c.start, c.end, c.text])).toEqual(
      srtCues.map((c) => [c.start, c.end, c.text]),
    );
  });

  it('transcribes the files it can, reports the missing one and exits non-zero', async () => {
    const missing = path.join(dataDir, 'clips', 'no-such-file.wav');
    const run = await runCli(['transcribe', '--model', hybrid, '-f', 'json', digit, missing, jfk]);
    expect(run.code).toBe(3); // AUDIO_FILE_NOT_FOUND's exit code
    expect(run.stderr).toMatch(/^speechstream: error AUDIO_FILE_NOT_FOUND: .*no-such-file\.wav/m);
    const lines = jsonLines(run.stdout);
    expect(lines.map((l) => l.file)).toEqual([digit, jfk]);
    for (const l of lines) expectWellTimed(l);
  });

  it('--output-dir writes one file per input instead of stdout', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'speechstream-out-'));
    try {
      const run = await runCli(['transcribe', '--model', hybrid, '-f', 'vtt', '-o', dir, digit]);
      expect(run.code).toBe(0);
      expect(run.stdout).toBe('');
      expect(readdirSync(dir)).toEqual(['3_theo_0.vtt']);
      expect(readFileSync(path.join(dir, '3_theo_0.vtt'), 'utf8').startsWith('WEBVTT\n\n')).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('expands patterns the shell did not, and reports a pattern with no match', async () => {
    const pattern = path.join(dataDir, 'fsdd', 'recordings', '3_theo_[01].wav');
    const none = path.join(dataDir, 'clips', '*.nothing');
    const run = await runCli(['transcribe', '--model', hybrid, '-f', 'json', pattern, none]);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('no file matches');
    expect(jsonLines(run.stdout).map((l) => path.basename(l.file))).toEqual(['3_theo_0.wav', '3_theo_1.wav']);
  });

  it('reads stdin for "-" (an mp3 through ffmpeg) like the same file', async () => {
    const mp3 = path.join(dataDir, 'clips', 'jfk.mp3');
    const fromFile = jsonLines((await runCli(['transcribe', '--model', hybrid, '-f', 'json', mp3])).stdout);
    const run = await runCli(['transcribe', '--model', hybrid, '-f', 'json', '-'], {
      stdin: createReadStream(mp3),
    });
    expect(run.code).toBe(0);
    const [t] = jsonLines(run.stdout);
    expect(t!.file).toBe('-');
    expect(t!.text).toBe(fromFile[0]!.text);
    // Through a pipe ffmpeg cannot apply the mp3's gapless trim, so a frame's worth of
    // decoder delay/padding may remain.
    expect(Math.abs(t!.duration - fromFile[0]!.duration)).toBeLessThan(0.05);
  });

  it('--two-pass re-decodes segments with the second-pass model', async () => {
    const online = jsonLines((await runCli(['transcribe', '--model', hybrid, '-f', 'json', jfk])).stdout)[0]!;
    const run = await runCli([
      'transcribe',
      '--model',
      hybrid,
      '--two-pass',
      '--second-pass-model',
      paraformer,
      '--verbose',
      '-f',
      'json',
      jfk,
    ]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('second pass paraformer-offline (paraformer-offline)');
    expect(run.stderr).toMatch(/provider cpu \(requested cpu\)/);
    const t = jsonLines(run.stdout)[0]!;
    expectWellTimed(t);
    // The Paraformer fixture's vocabulary is not the NeMo fixture's: other words.
    expect(t.text).not.toBe(online.text);
    expect(t.segments).toHaveLength(online.segments.length);
  });

  it('an offline model transcribes a long file in several segments cut at quiet points', async () => {
    // As on a terminal: a progress bar on stderr, cleared at the end.
    const run = await runCli(['transcribe', '--model', paraformer, '-f', 'json', long], { tty: true });
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^\rspeech-8k-169s\.wav \[[#.]+\] +\d+% /);
    expect(run.stderr.endsWith('\r\x1b[K')).toBe(true);
    const t = jsonLines(run.stdout)[0]!;
    expect(t.duration).toBeGreaterThan(160);
    expect(t.segments.length).toBeGreaterThanOrEqual(8);
    for (const s of t.segments) expect(s.end - s.start).toBeLessThanOrEqual(20);
    expectWellTimed(t);
  });

  it.runIf(existsSync(vadModel))('with --vad, an offline model transcribes the speech segments', async () => {
    const run = await runCli(
      ['transcribe', '--model', paraformer, '--vad', vadModel, '--quiet', '-f', 'json', long],
      {
        tty: true,
      },
    );
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const t = jsonLines(run.stdout)[0]!;
    expect(t.segments.length).toBeGreaterThanOrEqual(8);
    for (const s of t.segments) expect(s.end - s.start).toBeLessThanOrEqual(30);
    expectWellTimed(t);
  });

  it('fails with coded errors and their exit codes', async () => {
    const noModel = await runCli(['transcribe', jfk], {
      env: { SPEECHSTREAM_ASR_MODEL: '/nonexistent/model' },
    });
    expect(noModel.code).toBe(4);
    expect(noModel.stderr).toMatch(
      /^speechstream: error MODEL_NOT_FOUND: model directory \/nonexistent\/model does not exist; pass --model DIR or set SPEECHSTREAM_ASR_MODEL/,
    );
    const hotword = await runCli(['transcribe', '--model', paraformer, '--hotword', 'nine:2', jfk]);
    expect(hotword.code).toBe(2);
    expect(hotword.stderr).toMatch(/error ASR_UNSUPPORTED_OPTION: --hotword needs a streaming model/);
    const lookahead = await runCli(['transcribe', '--model', hybrid, '--lookahead', '3', jfk, jfk]);
    expect(lookahead.code).toBe(2);
    // Reported once, before any input is read, not once per file.
    expect(lookahead.stderr).toMatch(
      /^speechstream: error ASR_UNSUPPORTED_OPTION: lookahead 3 is not one this model was trained for \([\d, ]+\)\n$/,
    );
    const badFormat = await runCli(['transcribe', '--model', hybrid, '-f', 'doc', jfk]);
    expect(badFormat.code).toBe(2);
    expect(badFormat.stderr).toContain("argument 'doc' is invalid");
  });
});
