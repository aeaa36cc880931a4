import { describe, expect, it } from 'vitest';
import { families, familyIds, featurePresetNames } from '../../../models/runtime/families.js';
import { manifestFileSchema } from '../../../models/runtime/manifest-schema.js';

describe('family declarations', () => {
  it.each(familyIds)('%s is self-consistent', (id) => {
    const spec = families[id];
    expect(spec.id).toBe(id);
    const roles = spec.files.map((f) => f.role);
    expect(new Set(roles).size).toBe(roles.length);
    expect(roles).toContain('tokens');
    // metadata comes from a required ONNX file of the family
    expect(spec.files.find((f) => f.role === spec.metadataFrom)?.required).toBe(true);
    expect(featurePresetNames).toContain(spec.featurePreset);
    for (const role of Object.keys(spec.io)) expect(roles).toContain(role);
    for (const f of spec.files) {
      if (f.int8 !== undefined) expect(f.int8).toBe(f.file.replace(/\.onnx$/, '.int8.onnx'));
    }
    const keys = spec.metadata.map((m) => m.key);
    expect(keys).toContain('vocab_size');
    for (const m of spec.metadata) if (m.sameLengthAs) expect(keys).toContain(m.sameLengthAs);
    for (const rule of Object.values(spec.io)) {
      for (const r of [rule.inputs, rule.outputs]) if (r.plusKey) expect(keys).toContain(r.plusKey);
    }
    if (spec.tokens.count !== undefined)
      expect(spec.metadata.find((m) => m.key === 'vocab_size')?.required).toBe(true);
  });

  it('declares the sherpa metadata each contract requires', () => {
    const required = (id: (typeof familyIds)[number]) =>
      families[id].metadata.filter((m) => m.required).map((m) => m.key);
    expect(required('nemo-ctc-streaming')).toEqual(
      expect.arrayContaining(['window_size', 'chunk_shift', 'cache_last_time_dim3', 'subsampling_factor']),
    );
    expect(required('nemo-transducer-streaming')).toEqual(
      expect.arrayContaining(['pred_rnn_layers', 'pred_hidden']),
    );
    expect(required('paraformer-offline')).toEqual(
      expect.arrayContaining(['lfr_window_size', 'lfr_window_shift', 'neg_mean', 'inv_stddev']),
    );
    expect(required('paraformer-streaming')).toEqual(
      expect.arrayContaining(['encoder_output_size', 'decoder_num_blocks', 'decoder_kernel_size']),
    );
    const hybrid = families['nemo-hybrid-streaming'].files;
    expect(hybrid.find((f) => f.role === 'ctcHead')).toMatchObject({ file: 'ctc-head.onnx', required: true });
    expect(hybrid.find((f) => f.role === 'model')).toMatchObject({ file: 'model.onnx', required: false });
  });

  it('the manifest schema accepts exactly the declared families and presets', () => {
    const base = { id: 'm', task: 'asr' };
    for (const family of familyIds)
      expect(manifestFileSchema.safeParse({ ...base, family }).success).toBe(true);
    for (const featurePreset of featurePresetNames) {
      expect(
        manifestFileSchema.safeParse({ ...base, family: 'paraformer-offline', featurePreset }).success,
      ).toBe(true);
    }
    expect(manifestFileSchema.safeParse({ ...base, family: 'zipformer' }).success).toBe(false);
  });
});
