"""MaskGCT-style TTS (family b): text-to-semantic and semantic-to-acoustic bidirectional
transformers decoded by iterative mask-predict, over frame-level phone labels (semantic) and a
small residual-VQ mel codec (acoustic). See CONTRACT.md for the ONNX contract that the
TypeScript runtime (tts/maskgct/) mirrors."""
