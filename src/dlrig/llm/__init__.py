"""LLM models and the memory they need: what to buy for the model you will run.

``resolve_model`` finds a model (table name or alias, a Hugging Face
config.json, or a .gguf file); ``quant`` knows llama.cpp's quantisation
mixes and file sizes; ``memory`` breaks down the GPU memory of inference,
LoRA, QLoRA and full fine-tuning and says whether a set of GPUs holds it
(``fits``); ``fit`` finds the GPUs that run a model. No solver imports.
"""

from .memory import TASKS, FitResult, Job, MemoryBreakdown, breakdown, fits
from .models import ModelSpec, builtin_models, load_model_file, models, resolve_model
from .quant import FILE_TYPES, file_type, weights_bytes

__all__ = [
    "FILE_TYPES",
    "FitResult",
    "Job",
    "MemoryBreakdown",
    "ModelSpec",
    "TASKS",
    "breakdown",
    "builtin_models",
    "file_type",
    "fits",
    "load_model_file",
    "models",
    "resolve_model",
    "weights_bytes",
]
