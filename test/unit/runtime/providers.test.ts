import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isSpeechError } from '../../../common/errors.js';
import { probeModelBytes } from '../../../models/runtime/probe-model.js';
import { providerHowTo } from '../../../models/runtime/provider-help.js';
import {
  bindingDir,
  listProviders,
  parseProvider,
  precheckProvider,
  providerNames,
  supportedBackends,
} from '../../../models/runtime/providers.js';
import { createSession } from '../../../models/runtime/session.js';
import { float32Tensor } from '../../../models/runtime/tensor.js';

const MODEL = 'test/fixtures/onnx/positional.onnx';
const INSTALL_HOWTO = 'ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node';

// Facts about the machine running the tests, so that each expectation below states what
// must happen here (on the CPU-only dev machine: no CUDA libraries, no GPU device node).
const linuxLib = process.platform === 'linux';
const cudaLibsPresent = linuxLib && existsSync(join(bindingDir(), 'libonnxruntime_providers_cuda.so'));
const gpuNode = (() => {
  const list = (d: string) => (existsSync(d) ? readdirSync(d) : []);
  return (
    list('/dev/dri').some((n) => n.startsWith('renderD')) ||
    list('/dev').some((n) => /^nvidia\d+$|^dxg$/.test(n))
  );
})();

describe('parseProvider', () => {
  it.each([...providerNames, 'auto'])('accepts %s', (name) => {
    expect(parseProvider(name)).toBe(name);
  });

  it.each(['CUDA', 'gpu', 'metal', ''])(
    'rejects %j with PROVIDER_UNKNOWN listing the valid names',
    (name) => {
      expect(() => parseProvider(name)).toThrow(expect.objectContaining({ code: 'PROVIDER_UNKNOWN' }));
      expect(() => parseProvider(name)).toThrow(/cpu, cuda, tensorrt, webgpu, auto/);
    },
  );
});

describe('listProviders', () => {
  it('reports what the build offers and what loads', async () => {
    const list = await listProviders();
    expect(list.map((p) => p.name)).toEqual(['cpu', 'cuda', 'tensorrt', 'webgpu']);
    const backends = supportedBackends().map((b) => b.name);
    for (const p of list) expect(p.inBuild).toBe(backends.includes(p.name));
    expect(list.find((p) => p.name === 'cpu')).toMatchObject({ inBuild: true, bundled: true, loads: true });
    expect(list.find((p) => p.name === 'tensorrt')).toMatchObject({ loads: undefined, reason: 'not probed' });
    const cuda = list.find((p) => p.name === 'cuda');
    if (!cudaLibsPresent) {
      expect(cuda).toMatchObject({
        loads: false,
        reason: expect.stringContaining('libonnxruntime_providers_cuda'),
      });
    } else {
      expect(typeof cuda?.loads).toBe('boolean');
    }
  });

  it('probes tensorrt only on request', async () => {
    const list = await listProviders({ probe: ['tensorrt'] });
    expect(list.find((p) => p.name === 'cpu')?.loads).toBeUndefined();
    const trt = list.find((p) => p.name === 'tensorrt');
    expect(typeof trt?.loads).toBe('boolean');
    if (!cudaLibsPresent) expect(trt?.reason).toContain('libonnxruntime_providers_tensorrt');
  });
});

describe('explicit GPU providers never fall back to cpu', () => {
  it('cuda: PROVIDER_UNAVAILABLE with the install how-to when the provider libraries are absent', async () => {
    const outcome = await createSession(MODEL, { provider: 'cuda' }).then(
      (s) => s,
      (e: unknown) => e,
    );
    if (!cudaLibsPresent) {
      expect(outcome).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', details: { provider: 'cuda' } });
      expect((outcome as Error).message).toContain(INSTALL_HOWTO);
      expect((outcome as Error).message).toContain('onnxruntime-node-install=skip');
    } else if (isSpeechError(outcome)) {
      expect(outcome.code).toBe('PROVIDER_UNAVAILABLE');
      expect(outcome.message).toMatch(/cuDNN|CUDA/);
    } else {
      expect((outcome as { provider: string }).provider).toBe('cuda');
      await (outcome as { release(): Promise<void> }).release();
    }
  });

  it('tensorrt: PROVIDER_UNAVAILABLE when its library is absent', async () => {
    if (cudaLibsPresent) {
      // A working TensorRT would spend minutes building engines: only the precheck is asserted.
      expect(precheckProvider('tensorrt', false)?.librariesMissing ?? false).toBe(false);
      return;
    }
    await expect(createSession(MODEL, { provider: 'tensorrt' })).rejects.toMatchObject({
      code: 'PROVIDER_UNAVAILABLE',
      message: expect.stringContaining('builds engines'),
    });
  });

  it('webgpu: a webgpu session or PROVIDER_UNAVAILABLE, never a cpu session', async () => {
    const outcome = await createSession(MODEL, { provider: 'webgpu' }).then(
      (s) => s,
      (e: unknown) => e,
    );
    if (isSpeechError(outcome)) {
      expect(outcome.code).toBe('PROVIDER_UNAVAILABLE');
      expect(outcome.message).toContain('Vulkan');
    } else {
      const s = outcome as Awaited<ReturnType<typeof createSession>>;
      expect(s.provider).toBe('webgpu');
      const h = float32Tensor([1, 2, 3], [1, 1, 3]);
      expect((await s.runPositional([h, h])).length).toBe(2);
      await s.release();
    }
  });
});

describe('auto', () => {
  it('ends on a provider that loads and records why each earlier one was skipped', async () => {
    const s = await createSession(MODEL, { provider: 'auto' });
    try {
      const skipped = s.skipped.map((k) => k.provider);
      expect(s.skipped.every((k) => k.reason.length > 0)).toBe(true);
      expect(s.skipped.find((k) => k.provider === 'tensorrt')?.reason).toMatch(/never tried by auto/);
      if (!cudaLibsPresent) {
        expect(s.skipped.find((k) => k.provider === 'cuda')?.reason).toContain('not found');
        expect(s.provider).not.toBe('cuda');
      }
      if (!gpuNode && linuxLib) {
        expect(s.skipped.find((k) => k.provider === 'webgpu')?.reason).toMatch(/software rasteriser/);
        if (!cudaLibsPresent) expect(s.provider).toBe('cpu');
      }
      // Every provider before the chosen one in the auto order was recorded as skipped.
      const order = ['cuda', 'webgpu', 'cpu'];
      for (const p of order.slice(0, order.indexOf(s.provider))) expect(skipped).toContain(p);
      const h = float32Tensor([1, 2, 3], [1, 1, 3]);
      expect((await s.runPositional([h, h])).length).toBe(2);
    } finally {
      await s.release();
    }
  });

  it('webgpu precheck applies to auto only', () => {
    if (!gpuNode && linuxLib) {
      expect(precheckProvider('webgpu', true)?.reason).toMatch(/no GPU device node/);
      expect(precheckProvider('webgpu', false)).toBeUndefined();
    } else {
      expect(precheckProvider('webgpu', true)).toBeUndefined();
    }
    expect(precheckProvider('cpu', true)).toBeUndefined();
  });
});

describe('provider help and the probe model', () => {
  it('tells how to install the CUDA libraries, or what else to check when they are present', () => {
    expect(providerHowTo('cuda', true)).toContain(INSTALL_HOWTO);
    expect(providerHowTo('cuda', false)).toMatch(/libcudnn\.so\.9/);
    expect(providerHowTo('tensorrt', true)).toMatch(/libnvinfer/);
    expect(providerHowTo('webgpu', false)).toMatch(/--provider cpu/);
  });

  it('embeds the bytes of the committed probe fixture', () => {
    const committed = new Uint8Array(readFileSync('test/fixtures/onnx/probe-identity.onnx'));
    expect(probeModelBytes()).toEqual(committed);
  });
});
