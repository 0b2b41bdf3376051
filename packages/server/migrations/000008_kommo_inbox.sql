-- Kommo's webhook deliveries, received by POST /webhooks/kommo/{tenantId}/{secret}.

-- The inbox: every accepted delivery, written before the webhook is answered and drained by the
-- Kommo inbox worker, so a delivery survives a restart. Kommo re-sends a delivery it saw fail:
-- the body's digest makes a repeat a no-op. A tenant's deliveries are applied one at a time, in
-- `id` order.
CREATE TABLE :SDR_SCHEMA.kommo_inbox (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id uuid NOT NULL,
  -- SHA-256 of the body, hex.
  dedupe_key text NOT NULL,
  -- The form-encoded body as Kommo sent it (the secret is in the URL, never in the body).
  body text NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'dead')),
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  received_at timestamptz NOT NULL,
  available_at timestamptz NOT NULL,
  -- A worker's claim: until then no other worker takes the row. A crashed worker's claim expires.
  claimed_by text,
  claimed_until timestamptz,
  processed_at timestamptz,
  outcome text,
  last_error text,
  CONSTRAINT kommo_inbox_dedupe_key UNIQUE (tenant_id, dedupe_key)
);
-- The head of each tenant's queue.
CREATE INDEX kommo_inbox_pending ON :SDR_SCHEMA.kommo_inbox (tenant_id, id) WHERE status = 'pending';
