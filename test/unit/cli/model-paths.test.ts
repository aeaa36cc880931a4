// Where model settings point: explicit directories, ids under --models-dir, and the
// embedded defaults (a clear MODEL_NOT_FOUND until they are installed).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isSpeechError } from '../../../common/errors.js';
import {
  embeddedModels,
  embeddedModelsDir,
  resolveModelDir,
} from '../../../server/commands/models-embedded.js';
import { repoRoot, zooDir } from './helpers.js';

describe('resolveModelDir', () => {
  it('takes a directory, or a model id under a search directory', () => {
    expect(resolveModelDir(path.join(zooDir, 'paraformer-offline'), 'asrModel')).toBe(
      path.join(zooDir, 'paraformer-offline'),
    );
    expect(resolveModelDir('paraformer-offline', 'secondPassModel', [zooDir])).toBe(
      path.join(zooDir, 'paraformer-offline'),
    );
  });

  it('names the missing path and how to point elsewhere', () => {
    try {
      resolveModelDir('/no/such/model', 'secondPassModel');
      expect.unreachable();
    } catch (err) {
      expect(isSpeechError(err, 'MODEL_NOT_FOUND')).toBe(true);
      expect((err as Error).message).toBe(
        'model directory /no/such/model does not exist; pass --second-pass-model DIR or set SPEECHSTREAM_SECOND_PASS_MODEL',
      );
    }
  });

  it('resolves the embedded defaults under the package root, or says they are not installed', () => {
    expect(embeddedModelsDir()).toBe(path.join(repoRoot, 'models', 'embedded'));
    const dir = path.join(embeddedModelsDir(), embeddedModels.primary);
    if (existsSync(dir)) {
      expect(resolveModelDir('', 'asrModel')).toBe(dir);
    } else {
      expect(() => resolveModelDir('', 'asrModel')).toThrow(
        `the embedded default model digits-fastconformer is not installed at ${dir}; pass --model DIR or set SPEECHSTREAM_ASR_MODEL`,
      );
    }
  });
});
