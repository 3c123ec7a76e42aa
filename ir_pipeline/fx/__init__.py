"""Exchange rates: fetched over httpx or typed in, stored, and snapshotted onto each record.

* :mod:`~ir_pipeline.fx.rates`: the pure rules (what a valid rate is, the nearest earlier rate,
  converting one amount and rounding it).
* :mod:`~ir_pipeline.fx.providers`: the Frankfurter (ECB) and Bank of Korea ECOS formats.
* :mod:`~ir_pipeline.fx.fetch`: the HTTP side, with timeouts and retries.
* :mod:`~ir_pipeline.fx.service`: storing rates and taking, filling and re-taking snapshots.
* :mod:`~ir_pipeline.fx.converted`: converted totals, beside the per-currency ones.
"""
