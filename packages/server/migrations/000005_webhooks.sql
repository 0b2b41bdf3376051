-- Signed outgoing webhooks (schema :SDR_SCHEMA, default sdr_server): the endpoints a tenant
-- subscribed, one delivery per event and endpoint (written in the transaction of the change the
-- event describes), and every attempt to deliver it.

CREATE TABLE :SDR_SCHEMA.webhook_endpoints (
  id uuid PRIMARY KEY,
  tenant_id text NOT NULL,
  url text NOT NULL,
  description text,
  events text[] NOT NULL,
  secret text NOT NULL,
  -- After a rotation the previous secret also signs, until it expires.
  previous_secret text,
  previous_secret_expires_at timestamptz,
  enabled boolean NOT NULL DEFAULT true,
  disabled_reason text,
  -- The first failure of the current run of failures (NULL once a delivery succeeds).
  failing_since timestamptz,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX webhook_endpoints_tenant ON :SDR_SCHEMA.webhook_endpoints (tenant_id, created_at);

CREATE TABLE :SDR_SCHEMA.webhook_deliveries (
  id uuid PRIMARY KEY,
  tenant_id text NOT NULL,
  endpoint_id uuid NOT NULL REFERENCES :SDR_SCHEMA.webhook_endpoints (id) ON DELETE CASCADE,
  event_id uuid NOT NULL,
  event_type text NOT NULL,
  payload jsonb NOT NULL,
  -- pending ⇒ delivering ⇒ delivered | pending (retry) | failed; held: written while the endpoint was disabled.
  status text NOT NULL CHECK (status IN ('pending', 'delivering', 'delivered', 'failed', 'held')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  locked_by text,
  lease_expires_at timestamptz,
  last_status_code integer,
  last_error text,
  created_at timestamptz NOT NULL,
  delivered_at timestamptz,
  UNIQUE (endpoint_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON :SDR_SCHEMA.webhook_deliveries (next_attempt_at) WHERE status IN ('pending', 'delivering');
CREATE INDEX webhook_deliveries_tenant ON :SDR_SCHEMA.webhook_deliveries (tenant_id, created_at DESC, id DESC);

CREATE TABLE :SDR_SCHEMA.webhook_attempts (
  id bigserial PRIMARY KEY,
  delivery_id uuid NOT NULL REFERENCES :SDR_SCHEMA.webhook_deliveries (id) ON DELETE CASCADE,
  attempted_at timestamptz NOT NULL,
  status_code integer,
  latency_ms integer NOT NULL,
  error text,
  response_snippet text
);
CREATE INDEX webhook_attempts_delivery ON :SDR_SCHEMA.webhook_attempts (delivery_id, id);
