import { describe, expect, it } from 'vitest';
import { buildAsrResult } from '../../../asr/text/asr-result.js';
import { paraformerPieces, paraformerText } from '../../../asr/text/paraformer-text.js';
import { sentencePiecePieces, sentencePieceText } from '../../../asr/text/sentencepiece.js';
import { symbolsFromList } from '../../../asr/text/symbol-lookup.js';
import { groupWords } from '../../../asr/text/words.js';

// A tiny NeMo-style SentencePiece table (blank last).
const sp = symbolsFromList([
  '<unk>', // 0
  '▁hel', // 1
  'lo', // 2
  '▁world', // 3
  '▁', // 4
  '7', // 5
  '<0xE2>', // 6
  '<0x82>', // 7
  '<0xAC>', // 8
  'a▁b', // 9
  '▁▁x', // 10
  '<blk>', // 11
]);

describe('SentencePiece text', () => {
  it('turns only a leading ▁ into a space and keeps the leading space', () => {
    expect(sentencePieceText([1, 2, 3], sp)).toBe(' hello world');
    expect(sentencePieceText([9], sp)).toBe('a▁b');
    expect(sentencePieceText([10], sp)).toBe(' ▁x');
  });

  it('makes a bare ▁ a word boundary', () => {
    expect(sentencePieceText([3, 4, 5], sp)).toBe(' world 7');
  });

  it('skips <unk>, <blk> and unknown ids', () => {
    expect(sentencePieceText([0, 1, 11, 2, 99], sp)).toBe(' hello');
  });

  it('decodes byte-fallback pieces as UTF-8, across tokens', () => {
    expect(sentencePieceText([4, 6, 7, 8], sp)).toBe(' €');
    expect(sentencePieceText([6, 7], sp)).toBe('\uFFFD'); // cut short: replacement, no throw
  });
});

describe('Paraformer text', () => {
  const pf = symbolsFromList([
    '<blank>',
    '<s>',
    '</s>',
    'hel@@',
    'lo',
    'world',
    '中',
    '国',
    'ok',
    'a@@',
    'b@@',
    'c',
  ]);

  it('follows sherpa: @@ joins pieces, ASCII words get spaces, CJK is spaced from ASCII', () => {
    expect(paraformerText([3, 4, 5, 6, 7, 8], pf)).toBe(' hello world 中国 ok');
    expect(paraformerText([9, 10, 11], pf)).toBe(' abc');
    expect(paraformerText([6, 7], pf)).toBe('中国');
  });

  it('drops specials', () => {
    expect(paraformerText([1, 5, 0, 2], pf)).toBe(' world');
  });

  it('makes words of @@ runs and of each CJK character', () => {
    const pieces = paraformerPieces([3, 4, 5, 6, 7, 8], pf);
    const words = groupWords(pieces, [0, 1, 2, 3, 4, 5], [0, 0, 0, 0, 0, 0], { secondsPerFrame: 0.06 });
    expect(words.map((w) => w.word)).toEqual(['hello', 'world', '中', '国', 'ok']);
  });
});

describe('groupWords', () => {
  it('times words from their first token frame to the frame after their last token', () => {
    const pieces = sentencePiecePieces([1, 2, 3], sp);
    const words = groupWords(pieces, [0, 2, 5], [Math.log(0.9), Math.log(0.5), Math.log(0.8)], {
      secondsPerFrame: 0.08,
      timeOffset: 1,
    });
    expect(words.map((w) => w.word)).toEqual(['hello', 'world']);
    expect(words[0]!.start).toBeCloseTo(1, 9);
    expect(words[0]!.end).toBeCloseTo(1.24, 9);
    expect(words[1]!.start).toBeCloseTo(1.4, 9);
    expect(words[1]!.end).toBeCloseTo(1.48, 9);
    // Confidence is the least certain token of the word.
    expect(words[0]!.confidence).toBeCloseTo(0.5, 6);
    expect(words[1]!.confidence).toBeCloseTo(0.8, 6);
  });

  it('never lets a word end after the next one starts', () => {
    const words = groupWords(sentencePiecePieces([1, 3], sp), [4, 4], [0, 0], { secondsPerFrame: 0.08 });
    expect(words[0]!.end).toBe(words[0]!.start);
    expect(words[1]!.start).toBeCloseTo(0.32, 9);
  });

  it('keeps byte-fallback characters inside their word and ignores specials', () => {
    const words = groupWords(
      sentencePiecePieces([4, 6, 7, 8, 11, 5], sp),
      [0, 1, 2, 3, 4, 6],
      [0, 0, 0, 0, 0, 0],
      {
        secondsPerFrame: 0.1,
      },
    );
    expect(words.map((w) => w.word)).toEqual(['€7']);
    expect(words[0]!.end).toBeCloseTo(0.7, 9);
  });
});

describe('buildAsrResult', () => {
  it('combines text, ids, timestamps in seconds and words', () => {
    const r = buildAsrResult(
      { tokens: [1, 2, 3], frames: [0, 2, 5], logProbs: [0, 0, 0] },
      { symbols: sp, style: 'sentencepiece', secondsPerFrame: 0.08, timeOffset: 2 },
    );
    expect(r.text).toBe('hello world');
    expect(r.tokens).toEqual([1, 2, 3]);
    expect(r.timestamps.map((t) => Math.round(t * 1000))).toEqual([2000, 2160, 2400]);
    expect(r.words.map((w) => w.word)).toEqual(['hello', 'world']);
    const raw = buildAsrResult(
      { tokens: [1], frames: [0], logProbs: [0] },
      { symbols: sp, style: 'sentencepiece', secondsPerFrame: 0.08, keepLeadingSpace: true },
    );
    expect(raw.text).toBe(' hel');
  });
});
