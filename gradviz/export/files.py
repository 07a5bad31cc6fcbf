"""Writing an exported text file safely: the model's atomic writer, here under
the name the export code and commands import."""

from __future__ import annotations

from gradviz.model.atomic import write_text_atomic

__all__ = ["write_text_atomic"]
