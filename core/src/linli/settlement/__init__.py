"""Split-payment settlement: the double-entry ledger, gateways, refunds, payouts, reconciliation."""
