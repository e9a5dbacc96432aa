-- An escalation may follow a named policy of its PO instead of its service
-- option's (a lone-worker staff group's chain): '' means the service
-- option's policy, as before.
ALTER TABLE escalations ADD COLUMN policy TEXT NOT NULL DEFAULT '';
