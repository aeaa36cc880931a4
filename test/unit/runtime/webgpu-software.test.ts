// The WebGPU execution provider end to end, on Mesa's software Vulkan driver (lavapipe,
// installed by test/gpu/software-vulkan.sh): the shipped models give the CPU's tokens, and
// the streaming encoder's caches stay in GPU buffers between calls (encoder-cache.ts),
// coming back to the host only through the Identity graph (device-download.ts). This
// checks our WebGPU code paths, not GPU speed: lavapipe runs the shaders on the CPU.
// CI installs the driver, so there the suite must run; elsewhere it runs when the driver
// is installed (SPEECHSTREAM_TEST_VK_ICD or test/gpu/.lavapipe/lvp_icd.json).
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadNemoStreamingRecognizer } from '../../../asr/nemo/load-nemo-streaming.js';
import type { NemoStream } from '../../../asr/nemo/nemo-stream.js';
import type { NemoStreamingRecognizer } from '../../../asr/nemo/nemo-streaming-recognizer.js';
import { loadParaformerRecognizer } from '../../../asr/paraformer/index.js';
import { DeviceDownload } from '../../../models/runtime/device-download.js';
import { createIdentitySession } from '../../../models/runtime/session.js';
import { disposeTensor, float32Data, float32Tensor, onDevice } from '../../../models/runtime/tensor.js';
import { decodeAll } from '../../../streaming/audio/index.js';
import { decodeWhole } from '../asr/helpers/decode-whole.js';

const root = path.resolve(import.meta.dirname, '../../..');
const icd = process.env.SPEECHSTREAM_TEST_VK_ICD ?? path.join(root, 'test/gpu/.lavapipe/lvp_icd.json');
const haveDriver = existsSync(icd);
if (haveDriver) {
  // Read by the Vulkan loader when Dawn first starts, i.e. at the first WebGPU session.
  process.env.VK_ICD_FILENAMES = icd;
  process.env.XDG_RUNTIME_DIR ??= tmpdir();
}
const streamingDir = path.join(root, 'models/embedded/digits-fastconformer');
const paraformerDir = path.join(root, 'models/embedded/digits-paraformer');
const demo = path.join(root, 'models/embedded/digits-demo.wav');

describe('software WebGPU', () => {
  it('has its driver where CI installed it', () => {
    if (process.env.CI === 'true') expect(haveDriver, `${icd} (run test/gpu/software-vulkan.sh)`).toBe(true);
  });
});

describe.runIf(haveDriver || process.env.CI === 'true')('WebGPU provider (lavapipe)', () => {
  let audio: Float32Array;
  let gpu: NemoStreamingRecognizer;
  let cpu: NemoStreamingRecognizer;
  beforeAll(async () => {
    audio = await decodeAll(demo, { sampleRate: 16000 });
    gpu = await loadNemoStreamingRecognizer(streamingDir, {
      session: { provider: 'webgpu' },
      defaultDecoder: 'ctc',
    });
    cpu = await loadNemoStreamingRecognizer(streamingDir, { defaultDecoder: 'ctc' });
  }, 120_000);
  afterAll(async () => {
    await gpu?.close();
    await cpu?.close();
  });

  it('opens the streaming model on webgpu with its caches kept in GPU memory', () => {
    expect(gpu.info.provider).toBe('webgpu');
    expect(gpu.cachesOnDevice).toBe(true);
    expect(cpu.cachesOnDevice).toBe(false);
  });

  it('a stream alone: the CPU tokens', async () => {
    const want = await decodeWhole(cpu, audio, { decoder: 'ctc' });
    expect(want.length).toBeGreaterThan(5);
    expect(await decodeWhole(gpu, audio, { decoder: 'ctc' })).toEqual(want);
  }, 120_000);

  it('streams joining and leaving batches (caches downloaded and re-uploaded): the CPU tokens', async () => {
    const cuts = [audio, audio.subarray(16000 * 1), audio.subarray(0, 16000 * 3)];
    const run = async (r: NemoStreamingRecognizer) => {
      const streams = cuts.map(() => r.createStream({ decoder: 'ctc' }));
      let step = 0;
      for (;;) {
        // Stream i joins at step 2i, so batches grow, then shrink as the short one ends.
        streams.forEach((s, i) => {
          if (step === 2 * i) {
            s.acceptAudio(cuts[i]!);
            s.inputFinished();
          }
        });
        const ready: NemoStream[] = streams.filter((s) => r.isReady(s));
        if (ready.length === 0 && step > 4) break;
        if (ready.length > 0) await r.decode(ready);
        step++;
      }
      const tokens = streams.map((s) => [...r.result(s).tokens]);
      for (const s of streams) s.close();
      return tokens;
    };
    expect(await run(gpu)).toEqual(await run(cpu));
  }, 180_000);

  it('the Paraformer model: the CPU tokens', async () => {
    const g = await loadParaformerRecognizer(paraformerDir, { provider: 'webgpu' });
    const c = await loadParaformerRecognizer(paraformerDir);
    try {
      expect(g.info.provider).toBe('webgpu');
      const want = (await c.transcribe(audio)).tokens;
      expect(want.length).toBeGreaterThan(5);
      expect((await g.transcribe(audio)).tokens).toEqual(want);
    } finally {
      await g.close();
      await c.close();
    }
  }, 180_000);

  it('a tensor kept in GPU memory comes back through the Identity graph unchanged', async () => {
    const upload = await createIdentitySession('webgpu', 'float32', 4, { outputOnDevice: true });
    const download = new DeviceDownload('webgpu');
    try {
      const known = Float32Array.from({ length: 2 * 3 * 4 * 5 }, (_, i) => i * 0.25 - 7);
      const { y } = await upload.run({ x: float32Tensor(known, [2, 3, 4, 5]) });
      expect(onDevice(y!)).toBe(true);
      expect(() => float32Data(y!)).toThrow(/GPU memory/);
      expect(await download.float32(y!)).toEqual(known);
      disposeTensor(y!);
    } finally {
      await download.release();
      await upload.release();
    }
  }, 120_000);
});
