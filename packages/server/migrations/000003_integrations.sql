-- Tenant integrations (schema :SDR_SCHEMA, default sdr_server).

-- The sandbox is per tenant: a channel instance and a calendar belong to one tenant's account, so
-- two tenants naming the same instance (`default`) or calendar (`primary`) never share one.
-- Rows written before this migration keep the empty account.
ALTER TABLE :SDR_SCHEMA.sandbox_channel_instances ADD COLUMN account text NOT NULL DEFAULT '';
ALTER TABLE :SDR_SCHEMA.sandbox_channel_instances DROP CONSTRAINT sandbox_channel_instances_pkey;
ALTER TABLE :SDR_SCHEMA.sandbox_channel_instances ADD PRIMARY KEY (account, instance);

ALTER TABLE :SDR_SCHEMA.sandbox_calendar_events ADD COLUMN account text NOT NULL DEFAULT '';
ALTER TABLE :SDR_SCHEMA.sandbox_calendar_events DROP CONSTRAINT sandbox_calendar_events_pkey;
ALTER TABLE :SDR_SCHEMA.sandbox_calendar_events ADD PRIMARY KEY (account, calendar_id, event_id);
DROP INDEX :SDR_SCHEMA.sandbox_calendar_events_live;
CREATE INDEX sandbox_calendar_events_live ON :SDR_SCHEMA.sandbox_calendar_events (account, calendar_id, start_at) WHERE status <> 'cancelled';

-- Every change of an integration takes the next revision: a process polls for revisions above
-- the last one it saw, and so sees a change made by any other process.
CREATE SEQUENCE :SDR_SCHEMA.integration_revisions;

-- A tenant's configured integration of one kind. `provider` NULL: removed (the kind is back to
-- its default, the sandbox); the row stays as a tombstone so other processes see the removal.
-- The configuration is stored encrypted (AES-256-GCM, tagged with its key id), never in plain text.
CREATE TABLE :SDR_SCHEMA.integrations (
  tenant_id text NOT NULL,
  kind text NOT NULL,
  provider text,
  config_ciphertext text,
  version integer NOT NULL,
  revision bigint NOT NULL,
  health jsonb,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, kind)
);
CREATE INDEX integrations_revision ON :SDR_SCHEMA.integrations (revision);

-- What adapters persist for a tenant's integration (rotated OAuth tokens), written with
-- compare-and-set on `version`; values encrypted like configurations.
CREATE TABLE :SDR_SCHEMA.integration_credentials (
  tenant_id text NOT NULL,
  kind text NOT NULL,
  key text NOT NULL,
  ciphertext text NOT NULL,
  version integer NOT NULL CHECK (version >= 1),
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, kind, key)
);

-- OAuth `state` values already used: a state is accepted once.
CREATE TABLE :SDR_SCHEMA.oauth_states_used (
  state_id text PRIMARY KEY,
  used_at timestamptz NOT NULL
);
