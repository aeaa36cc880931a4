import type { InferenceSession } from 'onnxruntime-node';
import { SpeechError } from '../../common/errors.js';
import type { ProviderRequest } from './providers.js';

export type GraphOptimization = 'disabled' | 'basic' | 'extended' | 'all';
export type LogSeverity = 'verbose' | 'info' | 'warning' | 'error' | 'fatal';

export interface SessionOptions {
  /** Default 'cpu'. 'auto' tries cuda, then webgpu, then cpu, recording why each was skipped. */
  readonly provider?: ProviderRequest;
  /** Threads inside one operator; absent = onnxruntime's default (one per physical core). sherpa uses 1-2. */
  readonly intraOpThreads?: number;
  /** Threads running independent operators; above 1 it switches onnxruntime to parallel execution mode, where alone it is used. */
  readonly interOpThreads?: number;
  /** Default 'all', as sherpa-onnx uses (ORT_ENABLE_ALL). */
  readonly graphOptimization?: GraphOptimization;
  /** onnxruntime's own log for this session, to stderr. Default 'error'. */
  readonly logSeverity?: LogSeverity;
  /** onnxruntime's CPU arena allocator (default on); off trades speed for lower resident memory. */
  readonly enableCpuMemArena?: boolean;
  /** Names the model in errors; default the file name. */
  readonly label?: string;
  /**
   * Fixed shapes for named graph inputs (static-input-shapes.ts): the session is opened
   * from a copy of the file with those inputs made static, so onnxruntime folds the
   * graph's shape arithmetic. The session then accepts only those shapes.
   */
  readonly staticInputShapes?: Readonly<Record<string, readonly number[]>>;
  /**
   * Outputs to leave in GPU memory when the provider can (WebGPU: onnxruntime's
   * `preferredOutputLocation: 'gpu-buffer'`), so they can be fed back without a trip
   * through the host. Ignored on other providers (onnxruntime-node exposes no device
   * tensors for CUDA). `ModelSession.deviceOutputs` says which outputs stay.
   */
  readonly keepOutputsOnDevice?: readonly string[];
}

/** Providers whose outputs onnxruntime-node can leave in GPU memory. */
export function keepsOutputsOnDevice(provider: string): boolean {
  return provider === 'webgpu';
}

const SEVERITY: Record<LogSeverity, 0 | 1 | 2 | 3 | 4> = {
  verbose: 0,
  info: 1,
  warning: 2,
  error: 3,
  fatal: 4,
};
const OPTIMIZATIONS: readonly GraphOptimization[] = ['disabled', 'basic', 'extended', 'all'];

/** onnxruntime's session options, without executionProviders (the provider plan adds them). */
export function toOrtOptions(options: SessionOptions): InferenceSession.SessionOptions {
  const threads = (name: string, v: number | undefined): number | undefined => {
    if (v !== undefined && !(Number.isInteger(v) && v >= 0 && v <= 1024)) {
      throw new SpeechError('CONFIG_INVALID', `${name} must be an integer from 0 to 1024, got ${v}`, {
        [name]: v,
      });
    }
    return v;
  };
  const intra = threads('intraOpThreads', options.intraOpThreads);
  const inter = threads('interOpThreads', options.interOpThreads);
  const optimization = options.graphOptimization ?? 'all';
  if (!OPTIMIZATIONS.includes(optimization)) {
    throw new SpeechError('CONFIG_INVALID', `graphOptimization must be one of ${OPTIMIZATIONS.join(', ')}`, {
      graphOptimization: optimization,
    });
  }
  const severity = SEVERITY[options.logSeverity ?? 'error'];
  if (severity === undefined) {
    throw new SpeechError(
      'CONFIG_INVALID',
      `logSeverity must be one of ${Object.keys(SEVERITY).join(', ')}`,
      {
        logSeverity: options.logSeverity,
      },
    );
  }
  return {
    graphOptimizationLevel: optimization,
    logSeverityLevel: severity,
    ...(intra !== undefined && { intraOpNumThreads: intra }),
    ...(inter !== undefined && { interOpNumThreads: inter }),
    ...(inter !== undefined && inter > 1 && { executionMode: 'parallel' as const }),
    ...(options.enableCpuMemArena !== undefined && { enableCpuMemArena: options.enableCpuMemArena }),
  };
}
