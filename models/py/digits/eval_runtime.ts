// Decodes an eval set with an exported model through a real runtime and prints one JSON line
// per utterance, then a summary line; models/py/digits/eval_models.py scores the lines.
//
//   npx tsx models/py/digits/eval_runtime.ts --model models/embedded/digits-fastconformer \
//     --manifest models/py/work/eval/theo/manifest.jsonl [--lookahead 0,1,6,13] \
//     [--decoder ctc,rnnt] [--engine speechstream|sherpa] [--limit N] [--sherpa-features]
//     [--two-pass models/embedded/digits-paraformer [--combine replace|vote]] [--session keep|zero]
//
// speechstream: our runtime, as the product runs it. NeMo streaming models go through
// loadNemoStreamingRecognizer (whole utterance fed, inputFinished(), decode while ready,
// greedy; the 0.66 s tail padding is the runtime's own); Paraformer through
// loadParaformerRecognizer().transcribe(). sherpa: sherpa-onnx-node with its own features
// (transducer branch or the fused CTC model.onnx; offline Paraformer).
// --two-pass DIR (speechstream, NeMo streaming models): the product's 2-pass mode. An
// AsrSession with DIR's offline Paraformer as its second pass: the streaming model finds
// the segments (its endpoint rules, then the end of input), each segment's audio is
// re-decoded by the Paraformer, and the transcript is the finals joined. --combine vote:
// each final is the session's vote among the CTC head, the RNN-T head and the Paraformer
// (the stream runs the hybrid decoder; give --decoder hybrid).
// --session keep|zero (speechstream, NeMo streaming models): decode through an AsrSession,
// cut at endpoints as a live session is, with the encoder caches and RNN-T context kept
// across endpoints (the default) or zeroed as sherpa-onnx does; the finals joined.
// Audio: the WAV is read with our parser and, when not 16 kHz, resampled with our Kaldi-style
// LinearResampler, so both engines get the same 16 kHz samples. One intra-op thread each.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadNemoStreamingRecognizer } from '../../../asr/nemo/load-nemo-streaming.js';
import { loadParaformerRecognizer } from '../../../asr/paraformer/index.js';
import type { OfflineRecognizer } from '../../../asr/recognizer.js';
import { AsrSession, type SecondPassCombine } from '../../../asr/session/asr-session.js';
import { runSession } from '../../../asr/session/run-session.js';
import { loadManifest } from '../../../models/runtime/manifest.js';
import { LinearResampler } from '../../../streaming/audio/resampler.js';
import { readWav } from '../../../streaming/audio/wav-reader.js';

interface Row {
  readonly path: string;
  readonly words: string;
  readonly duration: number;
  readonly voice: string;
}

interface Utterance extends Row {
  readonly samples: Float32Array;
}

/** Whatever the engine, a function from 16 kHz samples to text. */
type Transcribe = (samples: Float32Array) => Promise<string>;
type Decoder = 'ctc' | 'rnnt' | 'hybrid';

const MODEL_RATE = 16000;
const SHERPA_TAIL_PADDING_S = 0.66;

function readSet(manifest: string, limit: number | undefined): Utterance[] {
  const dir = path.dirname(manifest);
  const rows = readFileSync(manifest, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Row);
  return rows.slice(0, limit ?? rows.length).map((row) => {
    const wav = readWav(readFileSync(path.join(dir, row.path)));
    const mono = wav.channels[0]!;
    const samples =
      wav.sampleRate === MODEL_RATE
        ? mono
        : new LinearResampler(wav.sampleRate, MODEL_RATE).resample(mono, true);
    return { ...row, samples };
  });
}

async function speechstreamNemo(
  dir: string,
  lookahead: number,
  decoder: Decoder,
  sherpaFeatures: boolean,
  secondPass?: OfflineRecognizer,
  combine: SecondPassCombine = 'replace',
  live?: { readonly cachesAtReset: 'keep' | 'zero' },
): Promise<{ transcribe: Transcribe; close: () => Promise<void> }> {
  const recognizer = await loadNemoStreamingRecognizer(dir, {
    session: { intraOpThreads: 1, interOpThreads: 1 },
    sherpaFeatures,
    ...(live && { cachesAtReset: live.cachesAtReset }),
  });
  if (secondPass !== undefined || live !== undefined) {
    return {
      transcribe: async (samples) => {
        const session = new AsrSession(recognizer, {
          stream: { lookahead, decoder },
          interimResults: false,
          ...(secondPass && { secondPass, secondPassCombine: combine }),
        });
        const finals: string[] = [];
        await runSession(recognizer, session, [samples], (e) => {
          if (e.type === 'final') finals.push(e.result.text);
        });
        session.close();
        return finals.filter((t) => t !== '').join(' ');
      },
      close: () => recognizer.close(),
    };
  }
  return {
    transcribe: async (samples) => {
      const stream = recognizer.createStream({ lookahead, decoder });
      stream.acceptAudio(samples);
      stream.inputFinished();
      while (recognizer.isReady(stream)) await recognizer.decode([stream]);
      const text = recognizer.result(stream).text;
      stream.close();
      return text;
    },
    close: () => recognizer.close(),
  };
}

function cachesAtReset(value: string): 'keep' | 'zero' {
  if (value !== 'keep' && value !== 'zero') throw new Error('--session is keep or zero');
  return value;
}

async function speechstreamParaformer(
  dir: string,
): Promise<{ transcribe: Transcribe; close: () => Promise<void> }> {
  const recognizer = await loadParaformerRecognizer(dir, { intraOpThreads: 1, interOpThreads: 1 });
  if (!('transcribe' in recognizer)) throw new Error(`${dir} is not an offline Paraformer`);
  return {
    transcribe: async (samples) => (await recognizer.transcribe(samples)).text,
    close: () => recognizer.close(),
  };
}

interface SherpaStream {
  acceptWaveform(wave: { samples: Float32Array; sampleRate: number }): void;
  inputFinished(): void;
}
interface SherpaModule {
  OnlineRecognizer: new (
    config: object,
  ) => {
    createStream(): SherpaStream;
    isReady(s: SherpaStream): boolean;
    decode(s: SherpaStream): void;
    getResult(s: SherpaStream): { text: string };
  };
  OfflineRecognizer: new (
    config: object,
  ) => {
    createStream(): SherpaStream;
    decode(s: SherpaStream): void;
    getResult(s: SherpaStream): { text: string };
  };
}

function sherpaEngine(dir: string, family: string, decoder: 'ctc' | 'rnnt'): Transcribe {
  const sherpa = createRequire(import.meta.url)('sherpa-onnx-node') as SherpaModule;
  const tokens = path.join(dir, 'tokens.txt');
  const featConfig = { sampleRate: MODEL_RATE, featureDim: 80 };
  if (family.startsWith('paraformer')) {
    const recognizer = new sherpa.OfflineRecognizer({
      featConfig,
      modelConfig: { paraformer: { model: path.join(dir, 'model.onnx') }, tokens, numThreads: 1, debug: 0 },
    });
    return async (samples) => {
      const stream = recognizer.createStream();
      stream.acceptWaveform({ samples, sampleRate: MODEL_RATE });
      recognizer.decode(stream);
      return recognizer.getResult(stream).text;
    };
  }
  const model =
    decoder === 'ctc'
      ? { nemoCtc: { model: path.join(dir, 'model.onnx') } }
      : {
          transducer: {
            encoder: path.join(dir, 'encoder.onnx'),
            decoder: path.join(dir, 'decoder.onnx'),
            joiner: path.join(dir, 'joiner.onnx'),
          },
        };
  const recognizer = new sherpa.OnlineRecognizer({
    featConfig,
    modelConfig: { ...model, tokens, numThreads: 1, debug: 0 },
  });
  return async (samples) => {
    const stream = recognizer.createStream();
    stream.acceptWaveform({ samples, sampleRate: MODEL_RATE });
    stream.acceptWaveform({
      samples: new Float32Array(Math.round(SHERPA_TAIL_PADDING_S * MODEL_RATE)),
      sampleRate: MODEL_RATE,
    });
    stream.inputFinished();
    while (recognizer.isReady(stream)) recognizer.decode(stream);
    return recognizer.getResult(stream).text;
  };
}

function numbers(list: string | undefined): number[] | undefined {
  return list === undefined ? undefined : list.split(',').map((v) => Number.parseInt(v, 10));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string' },
      manifest: { type: 'string' },
      lookahead: { type: 'string' },
      decoder: { type: 'string', default: 'rnnt' },
      engine: { type: 'string', default: 'speechstream' },
      limit: { type: 'string' },
      'sherpa-features': { type: 'boolean', default: false },
      'two-pass': { type: 'string' },
      combine: { type: 'string', default: 'replace' },
      session: { type: 'string' },
    },
  });
  if (!values.model || !values.manifest) throw new Error('--model and --manifest are required');
  const manifest = await loadManifest(values.model);
  const utterances = readSet(values.manifest, numbers(values.limit)?.[0]);
  const paraformer = manifest.family.startsWith('paraformer');
  // sherpa's NeMo models run at the lookahead in their metadata only.
  const lookaheads = paraformer
    ? [null]
    : values.engine === 'sherpa'
      ? [null]
      : (numbers(values.lookahead) ?? [...(manifest.lookaheads ?? [])]);
  const decoders = paraformer ? (['rnnt'] as const) : (values.decoder.split(',') as Decoder[]);
  const combine = values.combine as SecondPassCombine;
  if (combine !== 'replace' && combine !== 'vote') throw new Error('--combine is replace or vote');
  const audioSeconds = utterances.reduce((a, u) => a + u.samples.length / MODEL_RATE, 0);
  const twoPassDir = values['two-pass'];
  if (twoPassDir !== undefined && (paraformer || values.engine !== 'speechstream')) {
    throw new Error('--two-pass is for a NeMo streaming model on the speechstream engine');
  }
  let secondPass: OfflineRecognizer | undefined;
  if (twoPassDir !== undefined) {
    const loaded = await loadParaformerRecognizer(twoPassDir, { intraOpThreads: 1, interOpThreads: 1 });
    if (!('transcribe' in loaded)) throw new Error(`${twoPassDir} is not an offline Paraformer`);
    secondPass = loaded;
  }

  for (const lookahead of lookaheads) {
    for (const decoder of decoders) {
      let close = async (): Promise<void> => {};
      let transcribe: Transcribe;
      if (values.engine === 'sherpa') {
        if (decoder === 'hybrid') throw new Error('sherpa decodes ctc or rnnt');
        transcribe = sherpaEngine(values.model, manifest.family, decoder);
      } else if (paraformer) ({ transcribe, close } = await speechstreamParaformer(values.model));
      else
        ({ transcribe, close } = await speechstreamNemo(
          values.model,
          lookahead!,
          decoder,
          values['sherpa-features'],
          secondPass,
          combine,
          values.session === undefined ? undefined : { cachesAtReset: cachesAtReset(values.session) },
        ));
      await transcribe(utterances[0]!.samples); // warm-up: session start-up is not decode speed
      let decodeSeconds = 0;
      for (const u of utterances) {
        const t0 = process.hrtime.bigint();
        const text = await transcribe(u.samples);
        const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
        decodeSeconds += seconds;
        const run = {
          engine: values.engine,
          lookahead,
          decoder: paraformer ? null : decoder,
          ...(secondPass && { twoPass: true, combine }),
          ...(values.session && { session: values.session }),
        };
        console.log(
          JSON.stringify({
            ...run,
            path: u.path,
            voice: u.voice,
            words: u.words,
            text: text.trim(),
            seconds,
          }),
        );
      }
      await close();
      console.log(
        JSON.stringify({
          summary: {
            engine: values.engine,
            lookahead,
            decoder: paraformer ? null : decoder,
            ...(secondPass && { twoPass: true, combine }),
            ...(values.session && { session: values.session }),
            audioSeconds,
            decodeSeconds,
          },
        }),
      );
    }
  }
  await secondPass?.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
