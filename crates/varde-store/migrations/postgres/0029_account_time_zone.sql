-- The time zone a person reads times in (an IANA name); NULL: the provider's office zone.
ALTER TABLE users ADD COLUMN time_zone TEXT;
