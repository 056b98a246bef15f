"""Every write of the points app, split by use case: rule sets, the ledger, claims, rankings."""
