-- A tenant's alert channels (schema :SDR_SCHEMA, default sdr_server): where its alerts are sent
-- when raised or resolved, beside the operator's channels from the environment. `config` holds
-- the settings that are not secret; `secrets` the others (a Slack webhook URL, a bot token, an
-- SMTP password, a signing secret) as one JSON object sealed by the server's key for this row.

CREATE TABLE :SDR_SCHEMA.alert_channels (
  id uuid PRIMARY KEY,
  tenant_id text NOT NULL,
  type text NOT NULL CHECK (type IN ('slack', 'telegram', 'webhook', 'email')),
  description text,
  events text[] NOT NULL,
  config jsonb NOT NULL,
  secrets text NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX alert_channels_tenant ON :SDR_SCHEMA.alert_channels (tenant_id, created_at);
