// How an engine resolves the 2-pass final setting against its models: 'auto' follows the
// streaming model's manifest, a session pinning one head replaces, and an explicit 'vote'
// the models cannot do fails at load with a coded error (and leaks no model).
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAsrEngine, sessionCombine } from '../../../asr/engine.js';
import { embeddedModels, embeddedModelsDir } from '../../../server/commands/models-embedded.js';
import { codeOf } from '../../fuzz/fuzz-helpers.js';
import { zooDir } from './helpers/clips.js';

const digits = path.join(embeddedModelsDir(), embeddedModels.primary);
const paraformer = path.join(embeddedModelsDir(), embeddedModels.secondPass);

describe('the 2-pass final setting', () => {
  it("'auto' votes where the manifest says so, and a session pinning one head replaces", async () => {
    const engine = await loadAsrEngine({ model: digits, secondPassModel: paraformer });
    try {
      expect(engine.secondPassCombine).toBe('vote');
      expect(sessionCombine(engine, undefined)).toBe('vote');
      expect(sessionCombine(engine, 'hybrid')).toBe('vote');
      expect(sessionCombine(engine, 'ctc')).toBe('replace');
      expect(sessionCombine(engine, 'rnnt')).toBe('replace');
    } finally {
      await engine.close();
    }
  });

  it("'replace' and no second pass replace; a manifest without the key replaces on 'auto'", async () => {
    const cases = [
      { model: digits, secondPassModel: paraformer, secondPassCombine: 'replace' as const },
      { model: digits },
      { model: `${zooDir}/nemo-streaming-hybrid`, secondPassModel: paraformer },
    ];
    for (const options of cases) {
      const engine = await loadAsrEngine(options);
      try {
        expect(engine.secondPassCombine).toBe('replace');
      } finally {
        await engine.close();
      }
    }
  });

  it("an explicit 'vote' needs both heads decoding: ASR_UNSUPPORTED_OPTION otherwise", async () => {
    const bad = [
      { model: `${zooDir}/nemo-streaming-ctc`, secondPassModel: paraformer },
      { model: digits, secondPassModel: paraformer, decoder: 'ctc' as const },
    ];
    for (const options of bad) {
      const err = await loadAsrEngine({ ...options, secondPassCombine: 'vote' }).then(
        (e) => e.close().then(() => undefined),
        (e: unknown) => e,
      );
      expect(codeOf(err)).toBe('ASR_UNSUPPORTED_OPTION');
    }
    const engine = await loadAsrEngine({
      model: `${zooDir}/nemo-streaming-hybrid`,
      secondPassModel: paraformer,
      secondPassCombine: 'vote',
    });
    expect(engine.secondPassCombine).toBe('vote');
    await engine.close();
  });
});
