-- A subscriber made for an organisation's technical contact, told of incidents and maintenance
-- on the services of its organisation's contracts without having subscribed (until the
-- address subscribes on the public page itself).
ALTER TABLE status_subscribers ADD COLUMN audience_only BOOLEAN NOT NULL DEFAULT FALSE;
