"""Every write goes through a function here.

Each takes a session (one unit of work, opened by the caller per user action) and the acting
user, keyword-only; it validates, flushes, and raises a typed domain error. None commits: the
caller's :func:`ir_pipeline.db.unit_of_work` does, once, or rolls everything back.
"""
