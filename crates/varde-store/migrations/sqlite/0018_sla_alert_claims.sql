-- A node claims the SLA alerts it is about to send (status 'sending' until `claimed_until`),
-- so that several nodes never send one alert twice; a claim whose node died lapses.
ALTER TABLE sla_alerts ADD COLUMN claimed_until INTEGER;
