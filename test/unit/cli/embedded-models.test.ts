// The shipped ASR models through the CLI as a user runs them, no --model: the streaming
// digits model alone, with the embedded Paraformer as its second pass, and the Paraformer on
// its own. Both models must be installed (models/embedded/); a missing one fails here.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { embeddedModels, embeddedModelsDir } from '../../../server/commands/models-embedded.js';
import { editDistance } from '../../helpers/edit-distance.js';
import { spokenDigits } from '../../helpers/spoken-digits.js';
import { dataDir, jsonLines, runCli } from './helpers.js';

const demo = path.join(embeddedModelsDir(), 'digits-demo.wav');
const paraformerDir = path.join(embeddedModelsDir(), embeddedModels.secondPass);

describe('the embedded ASR models', () => {
  it('are installed', () => {
    expect(existsSync(path.join(embeddedModelsDir(), embeddedModels.primary, 'model.onnx'))).toBe(true);
    expect(existsSync(path.join(paraformerDir, 'model.onnx'))).toBe(true);
  });

  // The README example: "four one five, nine two seven, oh three" by a voice held out of training.
  it('the streaming default transcribes the README example', async () => {
    const run = await runCli(['transcribe', '-f', 'json', demo]);
    expect(run.code).toBe(0);
    expect(spokenDigits(jsonLines(run.stdout)[0]!.text)).toBe('41592703');
  });

  it('--two-pass re-decodes with the embedded Paraformer', async () => {
    const run = await runCli(['transcribe', '--two-pass', '--verbose', '-f', 'json', demo]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`second pass ${embeddedModels.secondPass}`);
    // The streaming model's manifest asks for the vote (its card measured it best).
    expect(run.stderr).toContain('finals vote');
    const heard = spokenDigits(jsonLines(run.stdout)[0]!.text);
    expect(editDistance(heard, '41592703'), heard).toBeLessThanOrEqual(1);
  });

  it('the Paraformer alone transcribes theo, the speaker no model trained on', async () => {
    // Three of his takes, each a single digit: 3, 8, 0.
    const files = ['3_theo_3.wav', '8_theo_8.wav', '0_theo_10.wav'].map((f) =>
      path.join(dataDir, 'fsdd', 'recordings', f),
    );
    const run = await runCli(['transcribe', '-m', paraformerDir, '-f', 'json', ...files]);
    expect(run.code).toBe(0);
    const heard = jsonLines(run.stdout).map((t) => spokenDigits(t.text));
    expect(editDistance(heard.join(''), '380'), heard.join(' ')).toBeLessThanOrEqual(1);
  });
});
