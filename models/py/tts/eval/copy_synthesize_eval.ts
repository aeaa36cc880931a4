// The ladder rung between a teacher voice and a trained model: the teacher's own evaluation
// WAVs turned into contract log-mel (tts/mel-spec.ts) and back to audio through our vocoder
// (models/tts/vocoder-model.ts), on the same texts the models read. Its WER is the floor a
// model feeding that vocoder can reach. Output has synthesize_eval.ts's layout, so
// eval_voice.py scores it as one more row:
//
//   npx tsx models/py/tts/eval/copy_synthesize_eval.ts \
//     --teacher models/py/work/tts/data/eval/teachers/festival-cmu_us_slt_arctic_hts \
//     --out models/py/work/tts/eval-runs/copy-slt-hts [--vocoder models/embedded/tts-vocoder] [--limit N]
//
// --teacher: a teacher directory written by make_tts_data.py (manifest.jsonl rows with set,
// id, raw, wav; 16 kHz WAVs). --limit N: the first N rows of each set. --mels DIR: vocode
// DIR/<id>.mel.f32 (contract log-mel, [T, 80] float32) instead of each WAV's own log-mel:
// the tokenised rung, written by models/py/tts/maskgct/codec_copy.py. --as-is: the teacher's
// own audio, unchanged (the top rung on exactly the texts the models read).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { VocoderModel } from '../../../../models/tts/vocoder-model.js';
import { readWav } from '../../../../streaming/audio/wav-reader.js';
import { encodeWav } from '../../../../streaming/audio/wav-writer.js';
import { computeLogMel } from '../../../../tts/mel-spec.js';

const { values } = parseArgs({
  options: {
    teacher: { type: 'string' },
    out: { type: 'string' },
    vocoder: { type: 'string', default: 'models/embedded/tts-vocoder' },
    limit: { type: 'string' },
    mels: { type: 'string' },
    'as-is': { type: 'boolean' },
  },
});
if (values.teacher === undefined || values.out === undefined) {
  console.error('usage: copy_synthesize_eval.ts --teacher DIR --out DIR [--vocoder DIR] [--limit N]');
  process.exit(2);
}
const limit = values.limit === undefined ? Number.POSITIVE_INFINITY : Number(values.limit);
if (!(limit >= 0)) throw new Error(`--limit must be a non-negative integer, got ${values.limit}`);

interface TeacherRow {
  readonly set: string;
  readonly id: string;
  readonly raw: string;
  readonly wav: string;
}
const teacher = values.teacher;
const all = readFileSync(path.join(teacher, 'manifest.jsonl'), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as TeacherRow);
const taken = new Map<string, number>();
const rows = all.filter((r) => {
  const n = taken.get(r.set) ?? 0;
  taken.set(r.set, n + 1);
  return n < limit;
});

function readMel(file: string): { data: Float32Array; numFrames: number } {
  const bytes = readFileSync(file);
  const data = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(data.buffer).set(bytes);
  return { data, numFrames: data.length / 80 };
}

const out = values.out;
mkdirSync(out, { recursive: true });
const asIs = values['as-is'] === true;
const vocoder = asIs ? undefined : await VocoderModel.load(values.vocoder, { intraOpThreads: 1 });
const lines: string[] = [];
let audioTotal = 0;
try {
  for (const row of rows) {
    const wav = readWav(readFileSync(path.join(teacher, row.wav)));
    if (wav.sampleRate !== 16000)
      throw new Error(`${row.wav}: ${wav.sampleRate} Hz, the mel contract is 16 kHz`);
    const source = wav.channels[0]!;
    let audio = source;
    if (vocoder !== undefined) {
      const logMel =
        values.mels === undefined
          ? computeLogMel(source)
          : readMel(path.join(values.mels, `${row.id}.mel.f32`));
      audio = (await vocoder.synthesize(logMel.data, logMel.numFrames)).subarray(0, source.length);
    }
    const name = `${row.id}.wav`;
    writeFileSync(path.join(out, name), encodeWav({ sampleRate: 16000, channels: [audio] }));
    audioTotal += audio.length / 16000;
    lines.push(
      JSON.stringify({ set: row.set, id: row.id, raw: row.raw, wav: name, audio_s: audio.length / 16000 }),
    );
  }
} finally {
  await vocoder?.release();
}
writeFileSync(path.join(out, 'manifest.jsonl'), `${lines.join('\n')}\n`);
const summary = {
  model: asIs
    ? `teacher ${path.basename(teacher)} (same texts)`
    : values.mels === undefined
      ? `copy-synthesis of ${path.basename(teacher)} through ${path.basename(values.vocoder)}`
      : `copy-synthesis of ${path.basename(teacher)} through the codec (${values.mels}) and ${path.basename(values.vocoder)}`,
  family: 'copy-synthesis',
  rows: rows.length,
  sets: [...new Set(rows.map((r) => r.set))],
  audio_s: audioTotal,
};
writeFileSync(path.join(out, 'summary.json'), `${JSON.stringify(summary, null, 1)}\n`);
console.log(`${rows.length} clips, ${audioTotal.toFixed(1)} s of audio -> ${out}`);
