-- Up Migration
-- Voter notifications (issue 4): who may be told what, how, in which words, and what was sent.

-- The voters of each county as the latest state extract describes them: the lookup ("Where's my ballot?",
-- sign-up) matches on lookup_hash, an HMAC of the normalized name, date of birth and ZIP (domain/notify/match),
-- so the index holds no readable personal data. Contact details come from the voter, never from the extract.
CREATE TABLE voters (
  county        text NOT NULL,
  voter_id      text NOT NULL,
  first_name    text NOT NULL,
  last_name     text NOT NULL,
  lookup_hash   text NOT NULL,
  language      text,
  election_id   text NOT NULL,
  ballot_id     text NOT NULL,
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (county, voter_id)
);
CREATE INDEX voters_lookup ON voters (lookup_hash);

-- A voter's notice preferences. Channels are confirmed one by one (double opt-in) before anything is sent.
CREATE TABLE subscriptions (
  id              text PRIMARY KEY,
  county          text NOT NULL,
  voter_id        text NOT NULL,
  language        text NOT NULL,
  window_start    text NOT NULL,
  window_end      text NOT NULL,
  window_zone     text NOT NULL,
  status          text NOT NULL CHECK (status IN ('active', 'cancelled')),
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX subscriptions_voter ON subscriptions (county, voter_id) WHERE status = 'active';

CREATE TABLE subscription_channels (
  subscription_id  text NOT NULL REFERENCES subscriptions (id),
  channel          text NOT NULL CHECK (channel IN ('email', 'sms', 'voice')),
  address          text NOT NULL,
  code_hash        text,
  code_expires_at  timestamptz,
  code_attempts    integer NOT NULL DEFAULT 0,
  confirmed_at     timestamptz,
  opted_out_at     timestamptz,
  PRIMARY KEY (subscription_id, channel)
);
CREATE INDEX subscription_channels_address ON subscription_channels (channel, address);

-- Consent, exactly as given or withdrawn: time, channel, source and the words the voter agreed to (TCPA).
CREATE TABLE consents (
  id               bigserial PRIMARY KEY,
  subscription_id  text NOT NULL,
  channel          text NOT NULL,
  address          text NOT NULL,
  action           text NOT NULL CHECK (action IN ('requested', 'confirmed', 'withdrawn')),
  source           text NOT NULL,
  consent_text     text NOT NULL,
  at               timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX consents_subscription ON consents (subscription_id, at);

-- What the state configures: triggers (one current row per version), templates (versioned), county overrides.
CREATE TABLE notify_trigger_configs (
  version     serial PRIMARY KEY,
  config      jsonb NOT NULL,
  created_by  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE notify_templates (
  kind        text NOT NULL,
  channel     text NOT NULL,
  language    text NOT NULL,
  reason      text NOT NULL DEFAULT '',
  version     integer NOT NULL,
  subject     text,
  body        text NOT NULL,
  created_by  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (kind, channel, language, reason, version)
);

CREATE TABLE county_overrides (
  county      text PRIMARY KEY,
  override    jsonb NOT NULL,
  updated_by  text NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- The delivery ledger: one row per notice key (ballot event, notice kind, channel, subscription). The key is
-- reserved before the provider is called and the provider's id stored the moment it answers, so a retried
-- activity finds the message already sent and sends nothing twice.
CREATE TABLE notifications (
  key                  text PRIMARY KEY,
  ballot_id            text,
  subscription_id      text NOT NULL,
  channel              text NOT NULL,
  kind                 text NOT NULL,
  reason               text,
  language             text NOT NULL,
  template_version     integer,
  status               text NOT NULL CHECK (status IN ('reserved', 'sent', 'delivered', 'failed', 'suppressed', 'superseded')),
  provider_message_id  text UNIQUE,
  provider_status      text,
  error                text,
  event_at             timestamptz,
  reserved_at          timestamptz NOT NULL DEFAULT now(),
  sent_at              timestamptz,
  updated_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notifications_subscription ON notifications (subscription_id, reserved_at);
CREATE INDEX notifications_ballot ON notifications (ballot_id);

-- Delivery receipts as the provider reported them (Twilio status callbacks, SMTP bounces), append-only; a
-- repeated or late callback adds a row but moves a notification's status only forward.
CREATE TABLE delivery_receipts (
  id                   bigserial PRIMARY KEY,
  provider_message_id  text NOT NULL,
  status               text NOT NULL,
  error_code           text,
  payload              jsonb NOT NULL,
  received_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX delivery_receipts_message ON delivery_receipts (provider_message_id);

CREATE TRIGGER consents_append_only BEFORE UPDATE OR DELETE ON consents FOR EACH ROW EXECUTE FUNCTION ballotflow_append_only();
CREATE TRIGGER delivery_receipts_append_only BEFORE UPDATE OR DELETE ON delivery_receipts FOR EACH ROW EXECUTE FUNCTION ballotflow_append_only();

-- Down Migration
DROP TABLE delivery_receipts, notifications, county_overrides, notify_templates, notify_trigger_configs, consents, subscription_channels, subscriptions, voters;
