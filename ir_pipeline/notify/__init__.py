"""Telling the team: notices written to the outbox with every change, and what reads them."""
