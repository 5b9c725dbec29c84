"""Real models in and out: PyTorch modules, Keras 3 layers and files, ONNX models, conversion."""
