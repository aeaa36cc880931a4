"""ARDiT-style acoustic model (TTS family a): decoder-only transformer over
[phones; BOS; mel patches] with float RoPE positions, a KV cache, a flow-matching head and a
stop head. See CONTRACT.md for the ONNX contract the TypeScript runtime (tts/ardit/) mirrors."""
