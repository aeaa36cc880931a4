import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { InferenceSession, listSupportedBackends } from 'onnxruntime-node';
import { SpeechError } from '../../common/errors.js';
import { probeModelBytes } from './probe-model.js';

/**
 * Execution providers: which ones this onnxruntime-node build offers, which actually
 * load on this machine, and the order `auto` tries them in.
 *
 * Findings on onnxruntime-node 1.30 (linux/x64, no GPU):
 * - listSupportedBackends() = cpu (bundled), webgpu (bundled), cuda and tensorrt (not
 *   bundled: their .so files come from NuGet at install time, see provider-help.ts).
 *   Without those files, session creation fails with "OrtSessionOptionsAppendExecution
 *   Provider_Cuda: Failed to load shared library" after onnxruntime logs an [E:] line to
 *   stderr; the file check below finds the same thing quietly.
 * - webgpu: session creation fails ("Failed to get a WebGPU adapter: No supported
 *   adapters"); Dawn saw Mesa's lavapipe software Vulkan driver and rejected it for a
 *   missing feature. A newer lavapipe (or SwiftShader) could be accepted, and
 *   onnxruntime-node does not report which adapter it got, so a software adapter cannot
 *   be detected after the fact. `auto` therefore skips webgpu on Linux when no GPU
 *   device node exists (/dev/dri/renderD*, /dev/nvidia[0-9]*, /dev/dxg): a heuristic that
 *   cannot catch a host whose GPU node exists while its Vulkan driver is missing. Asking
 *   for webgpu explicitly always tries it.
 */

export const providerNames = ['cpu', 'cuda', 'tensorrt', 'webgpu'] as const;
export type ProviderName = (typeof providerNames)[number];
export type ProviderRequest = ProviderName | 'auto';

/**
 * GPU providers `auto` tries, best first, before ending on cpu. TensorRT is never tried
 * automatically: its first session creation builds engines for minutes.
 */
export const autoProviderOrder: readonly ProviderName[] = ['cuda', 'webgpu'];

/** A provider that was not used, and why. */
export interface ProviderSkip {
  readonly provider: ProviderName;
  readonly reason: string;
}

export interface ProviderStatus {
  readonly name: ProviderName;
  /** Listed by onnxruntime-node's listSupportedBackends(). */
  readonly inBuild: boolean;
  /** Shipped inside the npm package (cuda/tensorrt libraries are downloaded separately). */
  readonly bundled: boolean;
  /** Whether a probe session loaded with it; undefined when not probed. */
  readonly loads: boolean | undefined;
  readonly reason?: string;
}

export function parseProvider(value: string): ProviderRequest {
  if (value === 'auto' || (providerNames as readonly string[]).includes(value))
    return value as ProviderRequest;
  throw new SpeechError(
    'PROVIDER_UNKNOWN',
    `unknown execution provider '${value}'; expected one of ${[...providerNames, 'auto'].join(', ')}`,
    { provider: value },
  );
}

/** What onnxruntime-node's build offers, as it reports it. */
export function supportedBackends(): readonly { name: string; bundled: boolean }[] {
  return listSupportedBackends();
}

export interface Precheck {
  readonly reason: string;
  /** The provider's own shared libraries are absent (an install problem, not a driver one). */
  readonly librariesMissing: boolean;
}

/**
 * Why `provider` cannot load here, found without creating a session; undefined when it
 * may load. `forAuto` adds the software-adapter heuristic for webgpu.
 */
export function precheckProvider(provider: ProviderName, forAuto: boolean): Precheck | undefined {
  if (provider === 'cpu') return undefined;
  if (!supportedBackends().some((b) => b.name === provider)) {
    return {
      reason: `this onnxruntime-node build (${process.platform}/${process.arch}) has no ${provider} support`,
      librariesMissing: false,
    };
  }
  if (provider === 'cuda' || provider === 'tensorrt') {
    const missing = providerLibraries(provider).filter((f) => !existsSync(join(bindingDir(), f)));
    if (missing.length > 0) {
      return { reason: `${missing.join(', ')} not found in ${bindingDir()}`, librariesMissing: true };
    }
  }
  if (provider === 'webgpu' && forAuto && process.platform === 'linux' && !hasGpuDeviceNode()) {
    return {
      reason:
        'no GPU device node (/dev/dri/renderD*, /dev/nvidia*, /dev/dxg): a WebGPU adapter here could only be a ' +
        'software rasteriser, so auto does not use it',
      librariesMissing: false,
    };
  }
  return undefined;
}

const probes = new Map<ProviderName, Promise<string | undefined>>();

/**
 * Creates (and releases) a one-node session with only `provider`; resolves to undefined
 * when it loads, else to onnxruntime's reason. Cached: a provider that failed to load
 * does not start working later in the same process.
 */
export function probeProvider(provider: ProviderName): Promise<string | undefined> {
  let probe = probes.get(provider);
  if (probe === undefined) {
    probe = (async () => {
      try {
        const session = await InferenceSession.create(probeModelBytes(), {
          executionProviders: [provider],
          logSeverityLevel: 3,
        });
        await session.release();
        return undefined;
      } catch (err) {
        return err instanceof Error ? err.message.trim() : String(err);
      }
    })();
    probes.set(provider, probe);
  }
  return probe;
}

/**
 * Each provider with what the build offers and whether it loads. `probe` lists the
 * providers to try (default cpu, cuda, webgpu; tensorrt only on request, since a
 * working TensorRT may build an engine even for the probe model).
 */
export async function listProviders(
  options: { probe?: readonly ProviderName[] } = {},
): Promise<ProviderStatus[]> {
  const toProbe = options.probe ?? ['cpu', 'cuda', 'webgpu'];
  const backends = supportedBackends();
  const out: ProviderStatus[] = [];
  for (const name of providerNames) {
    const backend = backends.find((b) => b.name === name);
    const base = { name, inBuild: backend !== undefined, bundled: backend?.bundled ?? false };
    if (!toProbe.includes(name)) {
      out.push({ ...base, loads: undefined, reason: 'not probed' });
      continue;
    }
    const pre = precheckProvider(name, false);
    const reason = pre?.reason ?? (await probeProvider(name));
    out.push(reason === undefined ? { ...base, loads: true } : { ...base, loads: false, reason });
  }
  return out;
}

/** The folder holding onnxruntime-node's native binding and any downloaded provider libraries. */
export function bindingDir(): string {
  const main = createRequire(import.meta.url).resolve('onnxruntime-node');
  return join(dirname(main), '..', 'bin', 'napi-v6', process.platform, process.arch);
}

function providerLibraries(provider: 'cuda' | 'tensorrt'): string[] {
  const names = ['shared', provider];
  if (process.platform === 'win32') return names.map((n) => `onnxruntime_providers_${n}.dll`);
  if (process.platform === 'linux') return names.map((n) => `libonnxruntime_providers_${n}.so`);
  return []; // no such build; listSupportedBackends already answered
}

function hasGpuDeviceNode(): boolean {
  const list = (dir: string): string[] => {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  };
  return (
    list('/dev/dri').some((n) => n.startsWith('renderD')) ||
    list('/dev').some((n) => /^nvidia\d+$/.test(n) || n === 'dxg')
  );
}
