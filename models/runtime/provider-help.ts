import { SpeechError } from '../../common/errors.js';
import type { ProviderName } from './providers.js';

/**
 * What a user can do when a provider does not load. The CUDA and TensorRT provider
 * libraries are not in the onnxruntime-node npm tarball: its postinstall script
 * (script/install.js) downloads them from NuGet (Microsoft.ML.OnnxRuntime.Gpu.Linux,
 * same version) on linux/x64. This repository's .npmrc sets `onnxruntime-node-install=skip`
 * (npm passes it to the script as npm_config_onnxruntime_node_install), so a plain
 * `npm install` leaves them out. The script reads `ONNXRUNTIME_NODE_INSTALL` first, so
 * the environment variable overrides the .npmrc; npm 11 runs the script because
 * package.json `allowScripts` lists onnxruntime-node.
 */
const CUDA_INSTALL =
  'The CUDA/TensorRT provider libraries are not shipped in the onnxruntime-node npm package and this ' +
  "project's .npmrc skips their download (onnxruntime-node-install=skip). On Linux x64 with CUDA 12 and " +
  'cuDNN 9, fetch them from NuGet with `ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node` ' +
  '(run in the project root; needs access to api.nuget.org).';

const CUDA_RUNTIME =
  'The provider libraries are installed, so onnxruntime could not load the CUDA runtime itself: check the ' +
  'NVIDIA driver (nvidia-smi), and that CUDA 12 (libcudart.so.12, libcublas.so.12) and cuDNN 9 ' +
  '(libcudnn.so.9) are on the library path (LD_LIBRARY_PATH).';

const TENSORRT_RUNTIME =
  'TensorRT also needs the TensorRT 10 libraries (libnvinfer.so.10) on the library path. Note that its first ' +
  'session creation builds engines, which can take minutes.';

const WEBGPU =
  "onnxruntime-node's WebGPU provider (Dawn) needs a GPU with a Vulkan (Linux), Metal (macOS) or " +
  'D3D12 (Windows) driver; on a machine without one use --provider cpu (or cuda).';

export function providerHowTo(provider: ProviderName, librariesMissing: boolean): string {
  switch (provider) {
    case 'cuda':
      return librariesMissing ? CUDA_INSTALL : CUDA_RUNTIME;
    case 'tensorrt':
      return `${librariesMissing ? CUDA_INSTALL : CUDA_RUNTIME} ${TENSORRT_RUNTIME}`;
    case 'webgpu':
      return WEBGPU;
    case 'cpu':
      return 'The CPU provider is part of every onnxruntime-node build; the installation is broken (reinstall onnxruntime-node).';
  }
}

export function providerUnavailable(
  provider: ProviderName,
  reason: string,
  librariesMissing: boolean,
  cause?: unknown,
): SpeechError {
  const howTo = providerHowTo(provider, librariesMissing);
  return new SpeechError(
    'PROVIDER_UNAVAILABLE',
    `execution provider '${provider}' is not available: ${reason}. ${howTo}`,
    { provider, reason, howTo },
    { cause },
  );
}
