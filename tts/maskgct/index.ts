/** TTS family b: the MaskGCT-style masked generative codec transformer (models/py/tts/maskgct/CONTRACT.md). */

export { maskPredict, type PassLogits, type PassOptions, type StepTrace } from './mask-predict.js';
export {
  gumbel,
  maskedAfterStep,
  PASSES_PER_PHRASE,
  type PhiloxKey,
  seedKey,
  topK,
  uniformAt,
} from './mask-schedule.js';
export {
  continuationPrompt,
  defaultS2aSteps,
  generatePhrase,
  MASKGCT_DEFAULTS,
  type MaskGctOptions,
  type MaskGctPrompt,
  type MaskGctResolvedOptions,
  MaskGctSynthesis,
  type MaskGctSynthesisOptions,
  type PhrasePlan,
  type PhraseResult,
  planFrames,
  planPhrase,
  resolveMaskGctOptions,
  type StepEvent,
  synthesizeMel,
  t2sPhonePositions,
} from './maskgct-generator.js';
export type { MaskGctGraphs, MaskGctModelInfo, S2aFeed, T2sFeed } from './maskgct-graphs.js';
