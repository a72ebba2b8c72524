-- Up Migration
-- Optional voter accounts (web portal): a voter who wants to may keep the lookups they made, so they can see their
-- ballot again without typing name, date of birth and ZIP each time. Nothing else needs an account.

-- The email is stored lower-case (one account per address, however it was typed). Only a scrypt hash of the
-- password is kept: `scrypt$N$r$p$salt$hash` (db/voter-accounts.ts).
CREATE TABLE voter_accounts (
  id             text PRIMARY KEY,
  email          text NOT NULL UNIQUE CHECK (email = lower(email)),
  password_hash  text NOT NULL CHECK (password_hash LIKE 'scrypt$%'),
  created_at     timestamptz NOT NULL DEFAULT now()
);

-- A voter record the account found with a lookup. No name, birth date or ZIP: only the county and voter id, which
-- the voter proved they know by the lookup (a signed lookup token) when they saved it.
CREATE TABLE voter_account_lookups (
  id          text PRIMARY KEY,
  account_id  text NOT NULL REFERENCES voter_accounts (id) ON DELETE CASCADE,
  county      text NOT NULL,
  voter_id    text NOT NULL,
  saved_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (account_id, county, voter_id)
);

-- Down Migration
DROP TABLE voter_account_lookups;
DROP TABLE voter_accounts;
