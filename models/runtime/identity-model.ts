import { concatPieces, lengthDelimited, type Pieces, stringField, varintField } from './protobuf-writer.js';

/**
 * The bytes of a one-node ONNX model, `y = Identity(x)`, for a tensor of `rank` dims,
 * every dim symbolic. Why: onnxruntime-node 1.30 crashes the process (an uncaught
 * native throw) in `Tensor.getData()` on a WebGPU `gpu-buffer` tensor, so a tensor
 * kept on the GPU comes back to host memory by running this graph on the same
 * provider with its output left on the CPU (device-download.ts).
 */

// ONNX field numbers (onnx.proto3).
const MODEL_IR_VERSION = 1;
const MODEL_GRAPH = 7;
const MODEL_OPSET_IMPORT = 8;
const OPSET_VERSION = 2;
const GRAPH_NODE = 1;
const GRAPH_NAME = 2;
const GRAPH_INPUT = 11;
const GRAPH_OUTPUT = 12;
const NODE_INPUT = 1;
const NODE_OUTPUT = 2;
const NODE_OP_TYPE = 4;
const VALUE_INFO_NAME = 1;
const VALUE_INFO_TYPE = 2;
const TYPE_TENSOR = 1;
const TENSOR_ELEM_TYPE = 1;
const TENSOR_SHAPE = 2;
const SHAPE_DIM = 1;
const DIM_PARAM = 2;

/** TensorProto.DataType codes of the dtypes carried. */
const ELEM_TYPE = { float32: 1, int32: 6, int64: 7 } as const;
export type IdentityDtype = keyof typeof ELEM_TYPE;

const IR_VERSION = 8;
const OPSET = 17;

function valueInfo(name: string, dtype: IdentityDtype, rank: number): Pieces {
  const dims: Pieces = [];
  for (let i = 0; i < rank; i++) dims.push(...lengthDelimited(SHAPE_DIM, stringField(DIM_PARAM, `d${i}`)));
  const tensor = [...varintField(TENSOR_ELEM_TYPE, ELEM_TYPE[dtype]), ...lengthDelimited(TENSOR_SHAPE, dims)];
  return [
    ...stringField(VALUE_INFO_NAME, name),
    ...lengthDelimited(VALUE_INFO_TYPE, lengthDelimited(TYPE_TENSOR, tensor)),
  ];
}

export function identityModelBytes(dtype: IdentityDtype, rank: number): Uint8Array {
  const node = [
    ...stringField(NODE_INPUT, 'x'),
    ...stringField(NODE_OUTPUT, 'y'),
    ...stringField(NODE_OP_TYPE, 'Identity'),
  ];
  const graph = [
    ...lengthDelimited(GRAPH_NODE, node),
    ...stringField(GRAPH_NAME, `identity_${dtype}_${rank}d`),
    ...lengthDelimited(GRAPH_INPUT, valueInfo('x', dtype, rank)),
    ...lengthDelimited(GRAPH_OUTPUT, valueInfo('y', dtype, rank)),
  ];
  return concatPieces([
    ...varintField(MODEL_IR_VERSION, IR_VERSION),
    ...lengthDelimited(MODEL_GRAPH, graph),
    ...lengthDelimited(MODEL_OPSET_IMPORT, varintField(OPSET_VERSION, OPSET)),
  ]);
}
