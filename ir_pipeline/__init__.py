"""ir-pipeline: an investor-relations fundraising pipeline, from the pitch to the money in the bank."""

__version__ = "0.1.0"
