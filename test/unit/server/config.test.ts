import { describe, expect, it } from 'vitest';
import { isSpeechError } from '../../../common/errors.js';
import { configKeys, envName, flagName, loadConfig } from '../../../server/config.js';

describe('config', () => {
  it('has defaults for every key', () => {
    const config = loadConfig({}, {});
    expect(Object.keys(config).sort()).toEqual([...configKeys].sort());
    expect(config.provider).toBe('cpu');
    expect(config.port).toBe(8080);
  });

  it('maps keys one to one onto flags and environment variables', () => {
    expect(envName('asrModel')).toBe('SPEECHSTREAM_ASR_MODEL');
    expect(flagName('asrModel')).toBe('asr-model');
    expect(new Set(configKeys.map(envName)).size).toBe(configKeys.length);
  });

  it('layers environment under flags', () => {
    const env = { SPEECHSTREAM_PORT: '9000', SPEECHSTREAM_PROVIDER: 'auto' };
    expect(loadConfig({}, env).port).toBe(9000);
    expect(loadConfig({ port: 9100 }, env)).toMatchObject({ port: 9100, provider: 'auto' });
  });

  it('rejects bad values with CONFIG_INVALID naming the key and its origin', () => {
    try {
      loadConfig({ provider: 'tpu' }, { SPEECHSTREAM_PORT: 'eighty' });
      expect.unreachable();
    } catch (err) {
      expect(isSpeechError(err, 'CONFIG_INVALID')).toBe(true);
      const message = (err as Error).message;
      expect(message).toContain('provider (from flag --provider)');
      expect(message).toContain('port (from env SPEECHSTREAM_PORT)');
    }
  });

  it('takes engine workers as auto or a whole number from 1', () => {
    expect(loadConfig({}, {}).engineWorkers).toBe('auto');
    expect(loadConfig({}, { SPEECHSTREAM_ENGINE_WORKERS: '3' }).engineWorkers).toBe(3);
    expect(loadConfig({ engineWorkers: 'auto' }, {}).engineWorkers).toBe('auto');
    for (const bad of ['0', '1.5', 'many']) {
      expect(() => loadConfig({ engineWorkers: bad }, {})).toThrow(/engineWorkers/);
    }
  });

  it('rejects unknown keys', () => {
    expect(() => loadConfig({ prot: 1 } as never, {})).toThrow(/invalid configuration/);
  });
});

describe('config: recognition keys', () => {
  it('has defaults for the recognition settings', () => {
    expect(loadConfig({}, {})).toMatchObject({
      asrModel: '',
      secondPassModel: '',
      twoPass: false,
      decoder: 'auto',
      lookahead: 'auto',
      vad: '',
      modelsDir: '',
    });
  });

  it('reads booleans and numbers from the environment and flags', () => {
    expect(loadConfig({}, { SPEECHSTREAM_TWO_PASS: 'true' }).twoPass).toBe(true);
    expect(loadConfig({}, { SPEECHSTREAM_TWO_PASS: '0' }).twoPass).toBe(false);
    expect(loadConfig({ twoPass: false }, { SPEECHSTREAM_TWO_PASS: 'yes' }).twoPass).toBe(false);
    expect(loadConfig({ lookahead: '6' }, {}).lookahead).toBe(6);
    expect(loadConfig({}, { SPEECHSTREAM_LOOKAHEAD: 'auto' }).lookahead).toBe('auto');
    expect(loadConfig({ decoder: 'rnnt' }, {}).decoder).toBe('rnnt');
    expect(flagName('secondPassModel')).toBe('second-pass-model');
    expect(envName('modelsDir')).toBe('SPEECHSTREAM_MODELS_DIR');
  });

  it('rejects bad recognition values', () => {
    expect(() => loadConfig({}, { SPEECHSTREAM_TWO_PASS: 'maybe' })).toThrow(
      /twoPass \(from env SPEECHSTREAM_TWO_PASS\)/,
    );
    expect(() => loadConfig({ lookahead: '-1' }, {})).toThrow(/lookahead \(from flag --lookahead\)/);
    expect(() => loadConfig({ decoder: 'beam' }, {})).toThrow(/decoder/);
  });
});
