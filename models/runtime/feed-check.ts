import { SpeechError } from '../../common/errors.js';
import type { OnnxValueInfo } from './onnx-metadata.js';
import { describeTensor, type ModelTensor } from './tensor.js';

/**
 * Checks feeds against a session's declared inputs before onnxruntime sees them, so a
 * mistake names the input and both shapes instead of surfacing as a kernel error deep
 * in the graph. Symbolic dims accept any size, and are not compared across inputs:
 * exporters reuse names loosely (a 'T' for frames in one input and for cache length in
 * another), and onnxruntime itself does not enforce them.
 */
export function checkFeeds(
  model: string,
  inputs: readonly OnnxValueInfo[],
  feeds: Readonly<Record<string, ModelTensor>>,
): void {
  const declared = new Set(inputs.map((i) => i.name));
  const unknown = Object.keys(feeds).filter((n) => !declared.has(n));
  if (unknown.length > 0) {
    throw new SpeechError(
      'MODEL_FEED_INVALID',
      `${model}: unknown input${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `'${n}'`).join(', ')}; ` +
        `the model's inputs are ${inputs.map(describeInput).join(', ')}`,
      { model, unknown, expected: inputs.map(describeInput) },
    );
  }
  for (const input of inputs) {
    const feed = Object.hasOwn(feeds, input.name) ? feeds[input.name] : undefined;
    const fail = (why: string): SpeechError =>
      new SpeechError('MODEL_FEED_INVALID', `${model}: input '${input.name}' ${why}`, {
        model,
        input: input.name,
        expected: describeInput(input),
        actual: feed === undefined ? null : safeDescribe(feed),
      });
    if (feed === undefined) throw fail(`is missing (expected ${describeInput(input)})`);
    if (!isTensorLike(feed)) throw fail('is not a tensor');
    if (input.dims === undefined) continue; // a non-tensor input or an unknown shape: nothing to check
    const expected = describeInput(input);
    const actual = describeTensor(feed);
    if (feed.type !== input.dtype) throw fail(`expects ${expected}, got ${actual} (wrong dtype)`);
    if (feed.dims.length !== input.dims.length) throw fail(`expects ${expected}, got ${actual} (wrong rank)`);
    input.dims.forEach((dim, axis) => {
      if (typeof dim === 'number' && feed.dims[axis] !== dim) {
        throw fail(`expects ${expected}, got ${actual} (dim ${axis} must be ${dim})`);
      }
    });
  }
}

/** 'float32[B,80,T]'; an unnamed dynamic dim shows as '?'. */
export function describeInput(info: OnnxValueInfo): string {
  if (info.dims === undefined) return `${info.name}: ${info.dtype}`;
  return `${info.dtype}[${info.dims.map((d) => (d === '' ? '?' : d)).join(',')}]`;
}

function isTensorLike(value: unknown): value is ModelTensor {
  const v = value as ModelTensor | null;
  return typeof v === 'object' && v !== null && typeof v.type === 'string' && Array.isArray(v.dims);
}

function safeDescribe(value: unknown): string {
  return isTensorLike(value) ? describeTensor(value) : typeof value;
}
