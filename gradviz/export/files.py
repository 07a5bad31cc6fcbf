"""Writing an exported file safely: the model's atomic writers (a temporary file
beside the target, flushed, renamed over it), here under the names the export
code and commands import. Text is UTF-8; pictures are written as their bytes."""

from __future__ import annotations

from gradviz.model.atomic import write_bytes_atomic, write_text_atomic

__all__ = ["write_bytes_atomic", "write_text_atomic"]
