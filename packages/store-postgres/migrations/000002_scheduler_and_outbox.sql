-- The one table of scheduled messages the dispatcher claims with FOR UPDATE SKIP LOCKED, the
-- outbox of changes external systems must reflect, what the CRM sync last wrote, and alerts.

CREATE TABLE :SDR_SCHEMA.scheduled_messages (
  id uuid PRIMARY KEY,
  tenant_id uuid NOT NULL CONSTRAINT scheduled_messages_tenant_id_fkey REFERENCES :SDR_SCHEMA.tenants (id),
  lead_id uuid,
  contact_id uuid,
  kind text NOT NULL CHECK (kind IN ('reengage_1', 'reengage_2', 'give_up', 'reminder_24h', 'reminder_2h', 'billing_step')),
  channel text NOT NULL CHECK (channel IN ('whatsapp', 'voice', 'sms')),
  dedupe_key text NOT NULL,
  due_at timestamptz NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'cancelled', 'skipped')),
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  last_error jsonb,
  locked_by text,
  locked_at timestamptz,
  lease_expires_at timestamptz,
  template_key text,
  payload jsonb NOT NULL DEFAULT '{}',
  explanation jsonb,
  appointment_id uuid,
  billing_cycle_id uuid,
  sent_at timestamptz,
  provider_message_id text,
  skip_reason text,
  cancel_reason text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  CONSTRAINT scheduled_messages_one_recipient CHECK ((lead_id IS NULL) <> (contact_id IS NULL)),
  CONSTRAINT scheduled_messages_lease_while_sending CHECK (status <> 'sending' OR (locked_by IS NOT NULL AND lease_expires_at IS NOT NULL)),
  -- Scheduling one dedupe key twice keeps one row, whatever became of the first.
  CONSTRAINT scheduled_messages_tenant_dedupe_key_key UNIQUE (tenant_id, dedupe_key),
  CONSTRAINT scheduled_messages_lead_id_fkey FOREIGN KEY (tenant_id, lead_id) REFERENCES :SDR_SCHEMA.leads (tenant_id, id),
  CONSTRAINT scheduled_messages_contact_id_fkey FOREIGN KEY (tenant_id, contact_id) REFERENCES :SDR_SCHEMA.contacts (tenant_id, id),
  CONSTRAINT scheduled_messages_appointment_id_fkey FOREIGN KEY (tenant_id, appointment_id) REFERENCES :SDR_SCHEMA.appointments (tenant_id, id),
  CONSTRAINT scheduled_messages_billing_cycle_id_fkey FOREIGN KEY (tenant_id, billing_cycle_id) REFERENCES :SDR_SCHEMA.billing_cycles (tenant_id, id)
);
-- The claim: due pending rows, oldest first. Only pending rows are indexed, so the index stays
-- as small as the backlog however many messages were ever sent.
CREATE INDEX scheduled_messages_due_idx ON :SDR_SCHEMA.scheduled_messages (due_at, created_at) WHERE status = 'pending';
-- Stuck recovery: rows in sending by lease expiry.
CREATE INDEX scheduled_messages_lease_idx ON :SDR_SCHEMA.scheduled_messages (lease_expires_at) WHERE status = 'sending';
CREATE INDEX scheduled_messages_tenant_due_idx ON :SDR_SCHEMA.scheduled_messages (tenant_id, due_at, created_at);
CREATE INDEX scheduled_messages_lead_idx ON :SDR_SCHEMA.scheduled_messages (tenant_id, lead_id) WHERE lead_id IS NOT NULL;
CREATE INDEX scheduled_messages_contact_idx ON :SDR_SCHEMA.scheduled_messages (tenant_id, contact_id) WHERE contact_id IS NOT NULL;
CREATE INDEX scheduled_messages_appointment_idx ON :SDR_SCHEMA.scheduled_messages (tenant_id, appointment_id) WHERE appointment_id IS NOT NULL;
CREATE INDEX scheduled_messages_billing_cycle_idx ON :SDR_SCHEMA.scheduled_messages (tenant_id, billing_cycle_id) WHERE billing_cycle_id IS NOT NULL;

CREATE TABLE :SDR_SCHEMA.outbox (
  id uuid PRIMARY KEY,
  tenant_id uuid NOT NULL CONSTRAINT outbox_tenant_id_fkey REFERENCES :SDR_SCHEMA.tenants (id),
  topic text NOT NULL CHECK (topic IN ('crm', 'calendar')),
  aggregate_type text NOT NULL,
  aggregate_id uuid NOT NULL,
  type text NOT NULL,
  payload jsonb NOT NULL DEFAULT '{}',
  status text NOT NULL CHECK (status IN ('pending', 'processing', 'done', 'dead')),
  -- Store-assigned, strictly increasing: per-aggregate order.
  sequence bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT outbox_sequence_key UNIQUE,
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  available_at timestamptz NOT NULL,
  locked_by text,
  locked_at timestamptz,
  lease_expires_at timestamptz,
  last_error jsonb,
  created_at timestamptz NOT NULL,
  processed_at timestamptz
);
-- The claim groups the open entries of a topic by aggregate.
CREATE INDEX outbox_open_idx ON :SDR_SCHEMA.outbox (topic, tenant_id, aggregate_type, aggregate_id, sequence)
  WHERE status IN ('pending', 'processing');
CREATE INDEX outbox_tenant_idx ON :SDR_SCHEMA.outbox (tenant_id, aggregate_id, sequence);

CREATE TABLE :SDR_SCHEMA.sync_states (
  tenant_id uuid NOT NULL CONSTRAINT sync_states_tenant_id_fkey REFERENCES :SDR_SCHEMA.tenants (id),
  lead_id uuid NOT NULL,
  crm_lead_id text,
  state jsonb NOT NULL DEFAULT '{}',
  synced_at timestamptz NOT NULL,
  version integer NOT NULL DEFAULT 0 CHECK (version >= 0),
  PRIMARY KEY (tenant_id, lead_id)
);

CREATE TABLE :SDR_SCHEMA.alerts (
  id uuid PRIMARY KEY,
  -- NULL for process-wide alerts.
  tenant_id uuid CONSTRAINT alerts_tenant_id_fkey REFERENCES :SDR_SCHEMA.tenants (id),
  kind text NOT NULL,
  key text NOT NULL,
  severity text NOT NULL CHECK (severity IN ('warning', 'critical')),
  message text NOT NULL,
  details jsonb NOT NULL DEFAULT '{}',
  raised_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  resolved_at timestamptz
);
-- One open alert per tenant (or process-wide), kind and key.
CREATE UNIQUE INDEX alerts_one_open_key ON :SDR_SCHEMA.alerts (
  COALESCE(tenant_id, '00000000-0000-0000-0000-000000000000'::uuid),
  kind,
  key
) WHERE resolved_at IS NULL;
CREATE INDEX alerts_open_idx ON :SDR_SCHEMA.alerts (tenant_id, raised_at DESC) WHERE resolved_at IS NULL;
