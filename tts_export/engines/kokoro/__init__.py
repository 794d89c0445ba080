"""Kokoro-82M (int8 ONNX), the offline neural voice."""
