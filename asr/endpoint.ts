import { SpeechError } from '../common/errors.js';

/**
 * Endpoint detection as data, after sherpa-onnx `endpoint.h`: an utterance ends when
 * any rule fires. A rule fires when (it does not need speech, or speech was decoded)
 * and the trailing silence and the utterance length reach its minimums.
 * Silence is measured in decoder frames whose best symbol was blank.
 */
export interface EndpointRule {
  /** Fire only once something non-blank was decoded since the last reset. */
  readonly mustContainNonSilence: boolean;
  /** Seconds of trailing blank frames required. */
  readonly minTrailingSilence: number;
  /** Seconds decoded since the last reset required. */
  readonly minUtteranceLength: number;
}

export interface EndpointConfig {
  readonly rule1: EndpointRule;
  readonly rule2: EndpointRule;
  readonly rule3: EndpointRule;
}

export type EndpointRuleName = keyof EndpointConfig;

export type EndpointOverrides = { readonly [K in EndpointRuleName]?: Partial<EndpointRule> };

/**
 * sherpa's defaults: rule1 ends after 2.4 s of silence even if nothing was said (an idle
 * stream), rule2 after 1.2 s of silence following speech, rule3 caps utterances at 20 s.
 */
export const DEFAULT_ENDPOINT_CONFIG: EndpointConfig = Object.freeze({
  rule1: Object.freeze({ mustContainNonSilence: false, minTrailingSilence: 2.4, minUtteranceLength: 0 }),
  rule2: Object.freeze({ mustContainNonSilence: true, minTrailingSilence: 1.2, minUtteranceLength: 0 }),
  rule3: Object.freeze({ mustContainNonSilence: false, minTrailingSilence: 0, minUtteranceLength: 20 }),
});

// Frame counts times a decimal frame shift land a hair off (e.g. 20 x 0.06 s); a
// microsecond of slack keeps "exactly 1.2 s" on the firing side.
const EPSILON_S = 1e-6;

const RULE_NAMES: readonly EndpointRuleName[] = ['rule1', 'rule2', 'rule3'];

/** Per-session overrides merged field by field onto a base config, validated. */
export function mergeEndpointConfig(
  overrides: EndpointOverrides = {},
  base: EndpointConfig = DEFAULT_ENDPOINT_CONFIG,
): EndpointConfig {
  const merged = {} as Record<EndpointRuleName, EndpointRule>;
  for (const name of RULE_NAMES) {
    const rule = { ...base[name], ...stripUndefined(overrides[name]) };
    for (const key of ['minTrailingSilence', 'minUtteranceLength'] as const) {
      const v = rule[key];
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
        throw new SpeechError(
          'CONFIG_INVALID',
          `endpoint ${name}.${key} must be a finite number >= 0, got ${v}`,
          {
            rule: name,
            [key]: v,
          },
        );
      }
    }
    if (typeof rule.mustContainNonSilence !== 'boolean') {
      throw new SpeechError('CONFIG_INVALID', `endpoint ${name}.mustContainNonSilence must be a boolean`, {
        rule: name,
      });
    }
    merged[name] = Object.freeze(rule);
  }
  return Object.freeze(merged);
}

export interface EndpointInput {
  /** Decoder frames since the last reset. */
  readonly numFramesDecoded: number;
  /** Consecutive blank frames at the end. */
  readonly trailingBlankFrames: number;
  /** Whether any non-blank token was decoded since the last reset. */
  readonly hasNonBlank: boolean;
  /** Seconds per decoder frame (0.08 NeMo FastConformer, 0.06 Paraformer LFR). */
  readonly secondsPerFrame: number;
}

/** The first rule that fires, or null when the utterance goes on. */
export function detectEndpoint(config: EndpointConfig, input: EndpointInput): EndpointRuleName | null {
  const utterance = input.numFramesDecoded * input.secondsPerFrame;
  const silence = input.trailingBlankFrames * input.secondsPerFrame;
  for (const name of RULE_NAMES) {
    const r = config[name];
    if (
      (input.hasNonBlank || !r.mustContainNonSilence) &&
      silence + EPSILON_S >= r.minTrailingSilence &&
      utterance + EPSILON_S >= r.minUtteranceLength
    ) {
      return name;
    }
  }
  return null;
}

/** Boolean form of `detectEndpoint`. */
export function isEndpoint(config: EndpointConfig, input: EndpointInput): boolean {
  return detectEndpoint(config, input) !== null;
}

function stripUndefined(rule: Partial<EndpointRule> | undefined): Partial<EndpointRule> {
  if (rule === undefined) return {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(rule)) if (v !== undefined) out[k] = v;
  return out as Partial<EndpointRule>;
}
