/**
 * The ONNX session layer: the only code in speechstream that imports onnxruntime-node.
 * Everything else uses these names (tensors, sessions, model directories).
 */
export { detectFamily, type Precision, pickOnnx } from './detect-family.js';
export {
  type CountRule,
  type FamilyId,
  type FamilySpec,
  type FeaturePresetName,
  type FileRole,
  type FileSpec,
  families,
  familyIds,
  featurePresetNames,
  fileRoles,
  type MetadataSpec,
  type MetadataType,
  type OnnxRole,
  type TokensRule,
} from './families.js';
export { describeInput } from './feed-check.js';
export {
  type LoadManifestOptions,
  loadManifest,
  MANIFEST_FILE,
  type ModelManifest,
  manifestSummary,
} from './manifest.js';
export { type ManifestFile, manifestFileSchema } from './manifest-schema.js';
export { OnnxMetadata } from './metadata-map.js';
export {
  type OnnxModelInfo,
  type OnnxValueInfo,
  parseOnnxModelInfo,
  readOnnxMetadata,
  readOnnxModelInfo,
} from './onnx-metadata.js';
export { providerHowTo } from './provider-help.js';
export {
  autoProviderOrder,
  listProviders,
  type ProviderName,
  type ProviderRequest,
  type ProviderSkip,
  type ProviderStatus,
  parseProvider,
  providerNames,
} from './providers.js';
export { createSession, ModelSession } from './session.js';
export type { GraphOptimization, LogSeverity, SessionOptions } from './session-options.js';
export {
  concatAxis0,
  describeTensor,
  elementCount,
  float32Data,
  float32Tensor,
  int32Data,
  int32Tensor,
  int64Data,
  int64Tensor,
  type ModelTensor,
  splitAxis0,
  type TensorDtype,
  zerosTensor,
} from './tensor.js';
export { parseTokens, readTokens, SymbolTable } from './tokens.js';
export {
  declaredTask,
  loadTtsManifest,
  type TtsFamilyId,
  type TtsManifest,
  ttsFamilyIds,
  ttsManifestSchema,
} from './tts-manifest.js';
