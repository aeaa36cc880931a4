/**
 * Streaming ASR throughput: our runtime vs sherpa-onnx-node on the same model files and
 * the same audio, one intra-op thread each, in one run (ratios, since machines are noisy).
 *
 * - single stream: one clip decoded window by window;
 * - N concurrent streams (8/32/64): ours decodes all ready streams in one batched
 *   encoder call per step; sherpa decodes them one stream at a time (its Node API's
 *   `decode(stream)`), as a server built on it would.
 * Audio is fed whole before decoding, so the figure is compute throughput (x real time),
 * features included on both sides. Run: npx tsx test/bench/asr-streaming.ts [model-dir...]
 * Options (also through `npm run bench -- asr`): --streams 1,8,32,64 (stream counts),
 * --seconds S (clip cut or tiled to S seconds; default the whole 11 s jfk clip),
 * --heads rnnt,ctc, --repeats R (best of R runs each side, alternating; default 3, 1 from
 * 32 streams), --single-stream-graphs off (one-stream steps on the generic encoder graph
 * instead of its static-shape copy; for before/after figures), --provider webgpu|cuda|cpu
 * (ours only; sherpa stays on CPU), --caches-on-device off (WebGPU: encoder caches back
 * to the host after every call instead of staying in GPU memory).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type sherpa from 'sherpa-onnx-node';
import { loadNemoStreamingRecognizer } from '../../asr/nemo/load-nemo-streaming.js';
import type { NemoStream } from '../../asr/nemo/nemo-stream.js';
import type { NemoStreamingRecognizer } from '../../asr/nemo/nemo-streaming-recognizer.js';
import type { StreamingDecoderChoice } from '../../asr/recognizer.js';
import { loadManifest } from '../../models/runtime/manifest.js';
import { decodeAll } from '../../streaming/audio/index.js';
import { sherpaOnlineNemo } from '../unit/asr/helpers/sherpa-reference.js';

const root = path.resolve(import.meta.dirname, '../..');
const dataDir = path.resolve(root, '../shared/data');

export interface AsrBenchFigure {
  model: string;
  head: string;
  streams: number;
  audioSeconds: number;
  oursXRealTime: number;
  sherpaXRealTime: number;
  ratio: number;
}

function load16k(file: string): Promise<Float32Array> {
  return decodeAll(file, { sampleRate: 16000 });
}

async function oursRun(
  recognizer: NemoStreamingRecognizer,
  clips: readonly Float32Array[],
  decoder: StreamingDecoderChoice,
): Promise<number> {
  const t0 = performance.now();
  const streams: NemoStream[] = clips.map((samples) => {
    const s = recognizer.createStream({ decoder });
    s.acceptAudio(samples);
    s.inputFinished();
    return s;
  });
  for (;;) {
    const ready = streams.filter((s) => recognizer.isReady(s));
    if (ready.length === 0) break;
    await recognizer.decode(ready);
  }
  for (const s of streams) {
    recognizer.result(s);
    s.close();
  }
  return (performance.now() - t0) / 1000;
}

function sherpaRun(recognizer: sherpa.OnlineRecognizer, clips: readonly Float32Array[]): number {
  const t0 = performance.now();
  const pad = new Float32Array(Math.round(0.66 * 16000));
  const streams = clips.map((samples) => {
    const s = recognizer.createStream();
    s.acceptWaveform({ samples, sampleRate: 16000 });
    s.acceptWaveform({ samples: pad, sampleRate: 16000 });
    s.inputFinished();
    return s;
  });
  // One stream at a time, round-robin, as a per-connection server loop would.
  let busy = true;
  while (busy) {
    busy = false;
    for (const s of streams) {
      if (recognizer.isReady(s)) {
        recognizer.decode(s);
        busy = true;
      }
    }
  }
  for (const s of streams) recognizer.getResult(s);
  return (performance.now() - t0) / 1000;
}

function best(times: number[]): number {
  return Math.min(...times);
}

function providerOption(): 'cpu' | 'cuda' | 'tensorrt' | 'webgpu' {
  const p = option('provider') ?? 'cpu';
  if (p !== 'cpu' && p !== 'cuda' && p !== 'tensorrt' && p !== 'webgpu') throw new Error(`--provider ${p}?`);
  return p;
}

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** The clip cut to, or tiled up to, `seconds`. */
function fitClip(clip: Float32Array, seconds: number | undefined): Float32Array {
  if (seconds === undefined) return clip;
  const out = new Float32Array(Math.round(seconds * 16000));
  for (let at = 0; at < out.length; at += clip.length) {
    out.set(clip.subarray(0, Math.min(clip.length, out.length - at)), at);
  }
  return out;
}

export async function run(modelDirs?: string[]): Promise<AsrBenchFigure[]> {
  const streamCounts = (option('streams') ?? '1,8,32,64').split(',').map(Number);
  const seconds = option('seconds') === undefined ? undefined : Number(option('seconds'));
  const wantedHeads = (option('heads') ?? 'rnnt,ctc').split(',');
  const repeatsOption = option('repeats') === undefined ? undefined : Number(option('repeats'));
  const dirs =
    modelDirs && modelDirs.length > 0
      ? modelDirs
      : [
          path.join(root, 'models/embedded/digits-fastconformer'),
          path.join(root, 'test/fixtures/zoo/nemo-streaming-hybrid'),
        ].filter((d) => existsSync(d));
  const jfk = fitClip(await load16k(path.join(dataDir, 'clips/jfk.wav')), seconds);
  const figures: AsrBenchFigure[] = [];
  console.log(
    'streaming ASR: ours (batched across streams) vs sherpa-onnx-node (one stream per call), 1 thread each',
  );
  for (const dir of dirs) {
    const manifest = await loadManifest(dir);
    const heads: { head: 'ctc' | 'transducer'; decoder: StreamingDecoderChoice }[] = [];
    if (manifest.files.encoder && wantedHeads.includes('rnnt'))
      heads.push({ head: 'transducer', decoder: 'rnnt' });
    if (manifest.files.model && wantedHeads.includes('ctc')) heads.push({ head: 'ctc', decoder: 'ctc' });
    for (const { head, decoder } of heads) {
      // Same features on both sides: sherpa's for this head.
      const preset = head === 'ctc' ? 'sherpa-online-nemo-ctc' : 'sherpa-online-nemo-transducer';
      const ours = await loadNemoStreamingRecognizer(manifest, {
        session: { intraOpThreads: 1, interOpThreads: 1, provider: providerOption() },
        featurePreset: preset,
        // A CTC server opens the fused model.onnx too (the default when CTC is the default
        // decoder), as sherpa runs it: one graph per step, not encoder + ctc-head.onnx.
        defaultDecoder: decoder,
        singleStreamGraphs: option('single-stream-graphs') === 'off' ? false : 'auto',
        cachesOnDevice: option('caches-on-device') !== 'off',
      });
      const theirs = sherpaOnlineNemo(dir, head);
      for (const n of streamCounts) {
        const clips = Array.from({ length: n }, () => jfk);
        const audioSeconds = (n * jfk.length) / 16000;
        const repeats = repeatsOption ?? (n >= 32 ? 1 : 3);
        const oursTimes: number[] = [];
        const sherpaTimes: number[] = [];
        await oursRun(ours, clips.slice(0, 1), decoder); // warm-up
        sherpaRun(theirs, clips.slice(0, 1));
        for (let r = 0; r < repeats; r++) {
          oursTimes.push(await oursRun(ours, clips, decoder));
          sherpaTimes.push(sherpaRun(theirs, clips));
        }
        const oursX = audioSeconds / best(oursTimes);
        const sherpaX = audioSeconds / best(sherpaTimes);
        const figure = {
          model: manifest.id,
          head,
          streams: n,
          audioSeconds,
          oursXRealTime: oursX,
          sherpaXRealTime: sherpaX,
          ratio: oursX / sherpaX,
        };
        figures.push(figure);
        console.log(
          `  ${manifest.id.padEnd(24)} ${head.padEnd(10)} streams ${String(n).padStart(3)}: ours ${oursX.toFixed(1).padStart(7)}x  sherpa ${sherpaX.toFixed(1).padStart(7)}x  ratio ${figure.ratio.toFixed(2)}`,
        );
      }
      await ours.close();
    }
  }
  return figures;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  await run(args.filter((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--')));
}
