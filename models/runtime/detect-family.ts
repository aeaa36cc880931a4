import { SpeechError } from '../../common/errors.js';
import type { FamilyId } from './families.js';
import type { OnnxModelInfo } from './onnx-metadata.js';

export type Precision = 'fp32' | 'int8';

/**
 * Picks the family of a directory that has no speechstream.json (e.g. a sherpa-onnx
 * release unpacked as is), the way sherpa-onnx routes models (contract 2.2, 2.3, 3.x):
 * - encoder + decoder + joiner: NeMo transducer. `window_size` on the encoder means
 *   cache-aware streaming, with `ctc-head.onnx` the hybrid; a decoder with a single output
 *   is an icefall/k2 stateless transducer, which speechstream does not run.
 * - encoder + decoder, no joiner, with `encoder_output_size` or `lfr_window_size`:
 *   streaming Paraformer.
 * - model: `window_size` -> streaming NeMo CTC; `lfr_window_size` -> offline Paraformer;
 *   `vocab_size` + `subsampling_factor` -> offline NeMo CTC.
 */
export async function detectFamily(
  dir: string,
  names: ReadonlySet<string>,
  info: (file: string) => Promise<OnnxModelInfo>,
  prefer: Precision,
): Promise<FamilyId> {
  const pick = (base: string): string | undefined => pickOnnx(names, base, prefer);
  const encoder = pick('encoder');
  const decoder = pick('decoder');
  const joiner = pick('joiner');
  const model = pick('model');

  if (encoder !== undefined && decoder !== undefined && joiner !== undefined) {
    const dec = await info(decoder);
    if (dec.outputs.length < 2) {
      throw unsupported(
        dir,
        `${decoder} has ${dec.outputs.length} output: an icefall/k2 stateless transducer, not NeMo`,
      );
    }
    const meta = (await info(encoder)).metadata;
    if (meta.has('window_size')) {
      return pick('ctc-head') !== undefined ? 'nemo-hybrid-streaming' : 'nemo-transducer-streaming';
    }
    return 'nemo-transducer-offline';
  }
  if (encoder !== undefined && decoder !== undefined) {
    const meta = (await info(encoder)).metadata;
    if (meta.has('encoder_output_size') || meta.has('lfr_window_size')) return 'paraformer-streaming';
    throw unsupported(
      dir,
      `${encoder} has neither encoder_output_size nor lfr_window_size (streaming Paraformer)`,
    );
  }
  if (model !== undefined) {
    const meta = (await info(model)).metadata;
    if (meta.has('window_size')) return 'nemo-ctc-streaming';
    if (meta.has('lfr_window_size')) return 'paraformer-offline';
    if (meta.has('vocab_size') && meta.has('subsampling_factor')) return 'nemo-ctc-offline';
    throw unsupported(
      dir,
      `${model} has none of window_size (NeMo streaming CTC), lfr_window_size (Paraformer), ` +
        'vocab_size + subsampling_factor (NeMo offline CTC) in its metadata_props',
    );
  }
  const found = [...names].sort().join(', ') || 'nothing';
  throw unsupported(
    dir,
    `found ${found}; expected model.onnx, encoder.onnx + decoder.onnx (+ joiner.onnx), or their .int8.onnx variants, ` +
      'or a speechstream.json naming the family',
  );
}

/** `<base>.onnx` or `<base>.int8.onnx`, whichever `prefer` names first and exists. */
export function pickOnnx(names: ReadonlySet<string>, base: string, prefer: Precision): string | undefined {
  const fp32 = `${base}.onnx`;
  const int8 = `${base}.int8.onnx`;
  const order = prefer === 'fp32' ? [fp32, int8] : [int8, fp32];
  return order.find((n) => names.has(n));
}

function unsupported(dir: string, why: string): SpeechError {
  return new SpeechError('MODEL_MANIFEST_INVALID', `${dir}: cannot tell the model family: ${why}`, {
    dir,
    reason: why,
  });
}
