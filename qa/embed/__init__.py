"""Embed: the Embedder (embedder: one loaded model, normalized vectors, sentence vectors pooled
from a passage's pass) and the runtimes it runs on (backends: torch fp32, OpenVINO bf16/int8)."""
