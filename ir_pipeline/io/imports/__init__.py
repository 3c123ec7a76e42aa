"""Importing spreadsheets, one module per kind; :mod:`ir_pipeline.io.importer` runs them."""
