"""Moving data in and out: spreadsheet import, export, and shareable reports."""
