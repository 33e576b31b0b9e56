-- An account's login name in Request Tracker (RT's `Name`), when it is not its e-mail address:
-- what RT's clients log in with and find a user by (`RTUSER=alice`, `user/alice`). Given by
-- `varde import-rt` and by RT's clients creating a user; unique in any case.
ALTER TABLE users ADD COLUMN login TEXT;
CREATE UNIQUE INDEX users_login ON users (lower(login));
