-- WhatsApp deliveries from Evolution API, received by POST /webhooks/evolution/{tenantId}.

-- The inbox: every delivery worth acting on, written before the webhook is answered and drained
-- by the inbox worker. Evolution re-delivers (up to 10 times): the unique key makes a repeat a
-- no-op. Events of one lead (`order_key`) are processed in `id` order, one at a time.
CREATE TABLE :SDR_SCHEMA.evolution_inbox (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id uuid NOT NULL,
  instance text NOT NULL,
  -- messages.upsert, messages.update, connection.update
  event text NOT NULL,
  -- The message id (key.id) for upserts; key id and status for updates; a fresh id otherwise.
  dedupe_key text NOT NULL,
  -- Who the event is about: events with the same key are handled in arrival order.
  order_key text NOT NULL,
  -- The delivery's envelope, without its apikey.
  envelope jsonb NOT NULL,
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
  CONSTRAINT evolution_inbox_dedupe_key UNIQUE (tenant_id, instance, event, dedupe_key)
);
-- The head of each lead's queue, and the queue's depth.
CREATE INDEX evolution_inbox_pending ON :SDR_SCHEMA.evolution_inbox (tenant_id, order_key, id) WHERE status = 'pending';

-- Delivery state of WhatsApp messages as Evolution reports it (messages.update), per provider
-- message id: sent, delivered, read, played (a voice note listened to) or failed.
CREATE TABLE :SDR_SCHEMA.whatsapp_message_statuses (
  tenant_id uuid NOT NULL,
  provider_message_id text NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'sent', 'delivered', 'read', 'played', 'failed')),
  -- Order of the states: a late "delivered" never overwrites "read".
  rank smallint NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, provider_message_id)
);

-- The connection of each Evolution instance to WhatsApp (connection.update). While it is not
-- open the channel reports itself down, so the dispatcher sends nothing through it.
CREATE TABLE :SDR_SCHEMA.whatsapp_channel_states (
  instance text PRIMARY KEY,
  tenant_id uuid NOT NULL,
  state text NOT NULL CHECK (state IN ('open', 'connecting', 'close', 'refused')),
  status_reason integer,
  -- When the instance entered this state.
  since timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
