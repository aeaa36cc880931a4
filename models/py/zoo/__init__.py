"""PyTorch reference models exported in the public ONNX contracts (see models/README.md)."""
