import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { InferenceSession } from 'onnxruntime-node';
import { SpeechError } from '../../common/errors.js';
import { checkFeeds } from './feed-check.js';
import { type IdentityDtype, identityModelBytes } from './identity-model.js';
import type { OnnxValueInfo } from './onnx-metadata.js';
import { providerUnavailable } from './provider-help.js';
import {
  autoProviderOrder,
  type ProviderName,
  type ProviderSkip,
  parseProvider,
  precheckProvider,
  probeProvider,
} from './providers.js';
import { keepsOutputsOnDevice, type SessionOptions, toOrtOptions } from './session-options.js';
import { withStaticInputShapes } from './static-input-shapes.js';
import { describeTensor, type ModelTensor } from './tensor.js';

/**
 * The one place that creates onnxruntime sessions.
 *
 * Concurrency: onnxruntime-node 1.30 runs each `run()` synchronously on the JS main
 * thread inside a setImmediate callback (lib/backend.ts), so concurrent runs on one
 * session (or on several) are serialised and each one blocks the event loop for its
 * duration; results are still correct. Real parallelism needs worker threads, each with
 * its own session. `release()` waits for runs already started, so it cannot free a
 * session under a queued run.
 */
export class ModelSession {
  readonly #session: InferenceSession;
  readonly #inflight = new Set<Promise<unknown>>();
  #release: Promise<void> | undefined;

  /** @internal use createSession() */
  constructor(
    session: InferenceSession,
    /** The .onnx file. */
    readonly path: string,
    /** Names the model in errors. */
    readonly label: string,
    /** The provider the session was created with (what /health shows). */
    readonly provider: ProviderName,
    /** Providers tried before this one (auto) and why they were not used. */
    readonly skipped: readonly ProviderSkip[],
    /** Outputs this session leaves in GPU memory (SessionOptions.keepOutputsOnDevice). */
    readonly deviceOutputs: ReadonlySet<string> = new Set(),
  ) {
    this.#session = session;
    this.inputs = session.inputMetadata.map(toValueInfo);
    this.outputs = session.outputMetadata.map(toValueInfo);
  }

  /** Declared inputs in graph order (sherpa binds by position, contract 0.1). */
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];

  get inputNames(): readonly string[] {
    return this.#session.inputNames;
  }

  get outputNames(): readonly string[] {
    return this.#session.outputNames;
  }

  get released(): boolean {
    return this.#release !== undefined;
  }

  /** Runs with feeds by input name; returns every output by name. */
  async run(feeds: Readonly<Record<string, ModelTensor>>): Promise<Record<string, ModelTensor>> {
    if (this.#release !== undefined) {
      throw new SpeechError('MODEL_RELEASED', `${this.label}: run() after release()`, { model: this.label });
    }
    checkFeeds(this.label, this.inputs, feeds);
    const running = this.#session.run(feeds as InferenceSession.FeedsType);
    this.#inflight.add(running);
    try {
      return (await running) as Record<string, ModelTensor>;
    } catch (err) {
      throw this.runFailed(feeds, err);
    } finally {
      this.#inflight.delete(running);
    }
  }

  /** Runs with inputs in graph order; returns outputs in graph order. */
  async runPositional(inputs: readonly ModelTensor[]): Promise<ModelTensor[]> {
    const names = this.inputNames;
    if (inputs.length !== names.length) {
      throw new SpeechError(
        'MODEL_FEED_INVALID',
        `${this.label}: ${inputs.length} positional inputs for a model with ${names.length} (${names.join(', ')})`,
        { model: this.label, expected: names.length, actual: inputs.length },
      );
    }
    const feeds: Record<string, ModelTensor> = {};
    names.forEach((name, i) => {
      feeds[name] = inputs[i] as ModelTensor;
    });
    const out = await this.run(feeds);
    return this.outputNames.map((name) => out[name] as ModelTensor);
  }

  /** Frees the native session once runs already started have finished. Idempotent. */
  release(): Promise<void> {
    this.#release ??= (async () => {
      await Promise.allSettled([...this.#inflight]);
      await this.#session.release();
    })();
    return this.#release;
  }

  private runFailed(feeds: Readonly<Record<string, ModelTensor>>, err: unknown): SpeechError {
    const fed = Object.entries(feeds).map(([name, t]) => ({ name, dtype: t.type, dims: [...t.dims] }));
    const list = Object.entries(feeds)
      .map(([name, t]) => `${name}: ${describeTensor(t)}`)
      .join(', ');
    const message = err instanceof Error ? err.message.trim() : String(err);
    return new SpeechError(
      'MODEL_RUN_FAILED',
      `${this.label}: onnxruntime failed (${message}); inputs were ${list}`,
      { model: this.label, provider: this.provider, inputs: fed, onnxruntime: message },
      { cause: err },
    );
  }
}

/**
 * Creates a session for `modelPath`. An explicit GPU provider that cannot load throws
 * PROVIDER_UNAVAILABLE with a how-to (never a silent CPU fallback); 'auto' records in
 * `session.skipped` why each provider before the chosen one was passed over.
 * Operators a GPU provider does not implement still run on CPU inside the session
 * (onnxruntime's graph partitioning); `provider` names the one registered first.
 */
export async function createSession(modelPath: string, options: SessionOptions = {}): Promise<ModelSession> {
  const label = options.label ?? basename(modelPath);
  await checkFile(modelPath);
  const request = parseProvider(options.provider ?? 'cpu');
  const ortOptions = toOrtOptions(options);
  const bytes =
    options.staticInputShapes === undefined
      ? undefined
      : withStaticInputShapes(await readFile(modelPath), options.staticInputShapes, label);
  const deviceOutputs = (provider: ProviderName): Set<string> =>
    new Set(keepsOutputsOnDevice(provider) ? (options.keepOutputsOnDevice ?? []) : []);
  const open = (provider: ProviderName) => {
    const kept = deviceOutputs(provider);
    const o: InferenceSession.SessionOptions = {
      ...ortOptions,
      executionProviders: [provider],
      ...(kept.size > 0 && {
        preferredOutputLocation: Object.fromEntries([...kept].map((name) => [name, 'gpu-buffer' as const])),
      }),
    };
    return bytes === undefined ? InferenceSession.create(modelPath, o) : InferenceSession.create(bytes, o);
  };
  const session = (ort: InferenceSession, provider: ProviderName, skipped: ProviderSkip[]) =>
    checkDeviceOutputs(new ModelSession(ort, modelPath, label, provider, skipped, deviceOutputs(provider)));

  if (request !== 'auto') {
    if (request !== 'cpu') {
      const pre = precheckProvider(request, false);
      if (pre !== undefined) throw providerUnavailable(request, pre.reason, pre.librariesMissing);
      const reason = await probeProvider(request);
      if (reason !== undefined) throw providerUnavailable(request, reason, false);
    }
    try {
      return session(await open(request), request, []);
    } catch (err) {
      throw createFailed(modelPath, label, request, err);
    }
  }

  const skipped: ProviderSkip[] = [];
  for (const provider of autoProviderOrder) {
    const reason = precheckProvider(provider, true)?.reason ?? (await probeProvider(provider));
    if (reason !== undefined) {
      skipped.push({ provider, reason });
      continue;
    }
    try {
      return session(await open(provider), provider, withTensorRtNote(skipped));
    } catch (err) {
      skipped.push({ provider, reason: `session creation failed: ${errorText(err)}` });
    }
  }
  try {
    return session(await open('cpu'), 'cpu', withTensorRtNote(skipped));
  } catch (err) {
    throw createFailed(modelPath, label, 'cpu', err);
  }
}

/** A misspelt output name would otherwise leave that output on the host without a word. */
function checkDeviceOutputs(session: ModelSession): ModelSession {
  const unknown = [...session.deviceOutputs].filter((name) => !session.outputNames.includes(name));
  if (unknown.length > 0) {
    void session.release();
    throw new SpeechError(
      'INTERNAL',
      `${session.label}: no output named ${unknown.join(', ')} to keep on the device`,
      {
        model: session.label,
        outputs: session.outputNames,
      },
    );
  }
  return session;
}

/**
 * `y = Identity(x)` for a tensor of `rank` dims on `provider`, its output on the host:
 * how a tensor kept in GPU memory is read back (device-download.ts). With
 * `outputOnDevice` (WebGPU) the output stays in GPU memory instead: an upload.
 */
export async function createIdentitySession(
  provider: ProviderName,
  dtype: IdentityDtype,
  rank: number,
  options: { readonly outputOnDevice?: boolean } = {},
): Promise<ModelSession> {
  const label = `identity(${dtype}, rank ${rank})@${provider}`;
  const kept = new Set(options.outputOnDevice && keepsOutputsOnDevice(provider) ? ['y'] : []);
  try {
    const ort = await InferenceSession.create(identityModelBytes(dtype, rank), {
      executionProviders: [provider],
      logSeverityLevel: 3,
      ...(kept.size > 0 && { preferredOutputLocation: { y: 'gpu-buffer' as const } }),
    });
    return new ModelSession(ort, label, label, provider, [], kept);
  } catch (err) {
    throw createFailed(label, label, provider, err);
  }
}

function withTensorRtNote(skipped: ProviderSkip[]): ProviderSkip[] {
  return [
    ...skipped,
    {
      provider: 'tensorrt',
      reason: 'never tried by auto: it builds engines for minutes at first load; ask for it',
    },
  ];
}

async function checkFile(path: string): Promise<void> {
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new SpeechError('MODEL_BAD_ONNX', `${path}: not a file`, { file: path });
  } catch (err) {
    if (err instanceof SpeechError) throw err;
    throw new SpeechError('MODEL_NOT_FOUND', `${path}: no such model file`, { file: path }, { cause: err });
  }
}

function createFailed(path: string, label: string, provider: ProviderName, err: unknown): SpeechError {
  return new SpeechError(
    'MODEL_BAD_ONNX',
    `${label}: onnxruntime could not load ${path} with provider ${provider} (${errorText(err)})`,
    { file: path, provider, onnxruntime: errorText(err) },
    { cause: err },
  );
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message.trim() : String(err);
}

function toValueInfo(m: InferenceSession.ValueMetadata): OnnxValueInfo {
  return m.isTensor
    ? { name: m.name, dtype: m.type, dims: [...m.shape] }
    : { name: m.name, dtype: 'non-tensor', dims: undefined };
}
