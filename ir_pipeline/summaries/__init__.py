"""The funnel's running totals (the ``funnel_sum`` table): kept, checked, repaired."""
