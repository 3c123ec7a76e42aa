"""``irp serve``: the read-only pages that share links open (:mod:`ir_pipeline.web.app`)."""
