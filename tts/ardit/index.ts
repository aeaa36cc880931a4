/** TTS family a: the ARDiT-style AR flow-matching mel generator (models/py/tts/ardit/CONTRACT.md). */

export {
  ARDIT_DEFAULTS,
  ArditGeneration,
  type ArditOptions,
  type ArditOutcome,
  generateMel,
  type MelChunk,
} from './ardit-generator.js';
export type { ArditGraphs, ArditModelInfo, ArditStepResult } from './ardit-graphs.js';
export { eulerTimes, type FlowSamplerOptions, samplePatch, type VelocityFn } from './flow-sampler.js';
export { type LengthOptions, type LengthPlan, phonePositions, planLength, StopRule } from './length-plan.js';
export { type PhiloxBlock, PhiloxStream, philox4x32 } from './philox.js';
export { vocodeMel } from './vocode-mel.js';
