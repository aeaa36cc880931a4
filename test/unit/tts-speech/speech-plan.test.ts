import { describe, expect, it } from 'vitest';
import { LOG_MEL_FLOOR } from '../../../tts/mel-spec.js';
import { checkSpeakOptions, planSpeech, silenceMel } from '../../../tts/speech/speech-plan.js';
import { defaultLexicon, textToPhones } from '../../../tts/text/index.js';

const lexicon = defaultLexicon();

describe('planSpeech', () => {
  it('splits sentences, tokenises each phrase like training data, and pauses between them', () => {
    const plan = planSpeech('Hello there. It is 10:15 pm, said Dr. Smith!', lexicon);
    expect(plan.map((p) => p.text)).toEqual(['hello there.', 'it is ten fifteen P M, said doctor smith!']);
    for (const p of plan) expect(p.ids).toEqual(textToPhones(p.text, { lexicon }).ids);
    expect(plan[0]!.pauseFrames).toBeGreaterThan(0);
    expect(plan[plan.length - 1]!.pauseFrames).toBe(0);
  });

  it('refuses text with nothing to pronounce', () => {
    for (const text of ['', '   ', '...', '?!', '"()"']) {
      expect(() => planSpeech(text, lexicon), text).toThrow(
        expect.objectContaining({ code: 'TTS_INPUT_INVALID' }),
      );
    }
  });

  it('cuts a long run-on text into bounded phrases', () => {
    const text = Array.from({ length: 60 }, (_, i) => `word${i % 7 === 0 ? ',' : ''}`).join(' ');
    const plan = planSpeech(text.replace(/word/g, 'apple'), lexicon, 80);
    expect(plan.length).toBeGreaterThan(3);
    for (const p of plan) expect(p.text.length).toBeLessThanOrEqual(100);
  });
});

describe('checkSpeakOptions', () => {
  it('defaults and bounds speed and seed', () => {
    expect(checkSpeakOptions(undefined, undefined)).toEqual({ speed: 1, seed: 0 });
    expect(checkSpeakOptions(0.25, 7)).toEqual({ speed: 0.25, seed: 7 });
    for (const speed of [0, 0.2, 4.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => checkSpeakOptions(speed, 0)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    }
    for (const seed of [-1, 1.5, Number.MAX_SAFE_INTEGER + 2]) {
      expect(() => checkSpeakOptions(1, seed)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    }
  });
});

describe('silenceMel', () => {
  it('is the log floor in every bin', () => {
    const m = silenceMel(3, 80);
    expect(m.length).toBe(240);
    expect(m.every((v) => v === Math.fround(LOG_MEL_FLOOR))).toBe(true);
  });
});
