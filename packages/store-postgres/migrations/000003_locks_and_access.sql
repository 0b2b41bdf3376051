-- Fenced lock leases, and what the REST API and the webhooks need: API keys, OAuth tokens,
-- inbound webhook dedupe, Idempotency-Key records.

-- One row per lock key, kept after release so that fencing tokens keep increasing. Keys are
-- process-wide names (callers put the tenant in the key), hence no tenant_id here.
CREATE TABLE :SDR_SCHEMA.locks (
  key text PRIMARY KEY,
  -- NULL once released.
  owner text,
  fencing_token bigint NOT NULL CHECK (fencing_token > 0),
  expires_at timestamptz NOT NULL
);

CREATE TABLE :SDR_SCHEMA.api_keys (
  id uuid PRIMARY KEY,
  tenant_id uuid NOT NULL CONSTRAINT api_keys_tenant_id_fkey REFERENCES :SDR_SCHEMA.tenants (id),
  name text NOT NULL,
  -- The public beginning of the key: how a presented key is found before its hash is compared.
  prefix text NOT NULL CONSTRAINT api_keys_prefix_key UNIQUE,
  key_hash text NOT NULL,
  scopes jsonb NOT NULL DEFAULT '[]',
  created_at timestamptz NOT NULL,
  last_used_at timestamptz,
  revoked_at timestamptz
);
CREATE INDEX api_keys_tenant_idx ON :SDR_SCHEMA.api_keys (tenant_id, created_at DESC);

CREATE TABLE :SDR_SCHEMA.oauth_tokens (
  tenant_id uuid NOT NULL CONSTRAINT oauth_tokens_tenant_id_fkey REFERENCES :SDR_SCHEMA.tenants (id),
  provider text NOT NULL,
  -- Encrypted by the caller (AES-GCM): the store never holds a token in clear.
  ciphertext text NOT NULL,
  expires_at timestamptz,
  updated_at timestamptz NOT NULL,
  version integer NOT NULL DEFAULT 0 CHECK (version >= 0),
  PRIMARY KEY (tenant_id, provider)
);

CREATE TABLE :SDR_SCHEMA.inbound_events (
  tenant_id uuid NOT NULL CONSTRAINT inbound_events_tenant_id_fkey REFERENCES :SDR_SCHEMA.tenants (id),
  source text NOT NULL,
  event_id text NOT NULL,
  received_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, source, event_id)
);
CREATE INDEX inbound_events_expires_idx ON :SDR_SCHEMA.inbound_events (expires_at);

CREATE TABLE :SDR_SCHEMA.idempotency_keys (
  tenant_id uuid NOT NULL CONSTRAINT idempotency_keys_tenant_id_fkey REFERENCES :SDR_SCHEMA.tenants (id),
  key text NOT NULL,
  request_hash text NOT NULL,
  response jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, key)
);
CREATE INDEX idempotency_keys_expires_idx ON :SDR_SCHEMA.idempotency_keys (expires_at);
