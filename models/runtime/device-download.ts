import { SpeechError } from '../../common/errors.js';
import type { IdentityDtype } from './identity-model.js';
import type { ProviderName } from './providers.js';
import { createIdentitySession, type ModelSession } from './session.js';
import { float32Data, type ModelTensor, onDevice } from './tensor.js';

/**
 * Reads tensors kept in GPU memory back to the host, through an Identity graph on the
 * same provider whose output stays on the CPU (identity-model.ts says why not
 * `Tensor.getData()`). One small session per dtype and rank, opened on first use.
 * Host tensors pass through as they are.
 */
export class DeviceDownload {
  readonly #sessions = new Map<string, Promise<ModelSession>>();
  #released = false;

  constructor(readonly provider: ProviderName) {}

  async float32(tensor: ModelTensor, what = 'tensor'): Promise<Float32Array> {
    if (!onDevice(tensor)) return float32Data(tensor, what);
    const out = await this.run(tensor, 'float32');
    return float32Data(out, what);
  }

  private async run(tensor: ModelTensor, dtype: IdentityDtype): Promise<ModelTensor> {
    if (this.#released) throw new SpeechError('MODEL_RELEASED', 'device download after release()');
    const key = `${dtype}:${tensor.dims.length}`;
    let session = this.#sessions.get(key);
    if (session === undefined) {
      session = createIdentitySession(this.provider, dtype, tensor.dims.length);
      this.#sessions.set(key, session);
    }
    const { y } = await (await session).run({ x: tensor });
    return y!;
  }

  async release(): Promise<void> {
    this.#released = true;
    const sessions = [...this.#sessions.values()];
    this.#sessions.clear();
    await Promise.allSettled(sessions.map(async (s) => (await s).release()));
  }
}
