-- Tenants and the entities of a conversation: leads, their messages and appointments, billing
-- contacts and cycles, templates. Every row carries its tenant_id; references between entities
-- go through (tenant_id, id) so that a row can never point into another tenant.

CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE :SDR_SCHEMA.tenants (
  id uuid PRIMARY KEY,
  name text NOT NULL,
  -- The canonical tenant configuration (tenantConfigSchema output), read back through the schema.
  config jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  version integer NOT NULL DEFAULT 0 CHECK (version >= 0)
);
CREATE INDEX tenants_created_at_idx ON :SDR_SCHEMA.tenants (created_at, id);

CREATE TABLE :SDR_SCHEMA.leads (
  id uuid PRIMARY KEY,
  tenant_id uuid NOT NULL CONSTRAINT leads_tenant_id_fkey REFERENCES :SDR_SCHEMA.tenants (id),
  -- E.164, the Brazilian 9th digit already folded in: one lead per canonical phone.
  phone text NOT NULL,
  whatsapp_lid text,
  name text,
  email text,
  stage text NOT NULL CHECK (stage IN ('new', 'qualifying', 'meeting_scheduled', 'not_interested', 'human_handoff', 'won', 'lost')),
  fields jsonb NOT NULL DEFAULT '{}',
  tags jsonb NOT NULL DEFAULT '[]',
  automation text NOT NULL CHECK (automation IN ('active', 'paused_handoff', 'stopped')),
  opted_out boolean NOT NULL DEFAULT false,
  opted_out_at timestamptz,
  last_inbound_at timestamptz,
  last_outbound_at timestamptz,
  crm_lead_id text,
  crm_contact_id text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  version integer NOT NULL DEFAULT 0 CHECK (version >= 0),
  CONSTRAINT leads_tenant_id_id_key UNIQUE (tenant_id, id),
  CONSTRAINT leads_tenant_phone_key UNIQUE (tenant_id, phone)
);
CREATE INDEX leads_created_idx ON :SDR_SCHEMA.leads (tenant_id, created_at DESC, id DESC);
CREATE INDEX leads_updated_idx ON :SDR_SCHEMA.leads (tenant_id, updated_at, id);
CREATE INDEX leads_whatsapp_lid_idx ON :SDR_SCHEMA.leads (tenant_id, whatsapp_lid) WHERE whatsapp_lid IS NOT NULL;
CREATE INDEX leads_crm_lead_id_idx ON :SDR_SCHEMA.leads (tenant_id, crm_lead_id) WHERE crm_lead_id IS NOT NULL;

CREATE TABLE :SDR_SCHEMA.messages (
  id uuid PRIMARY KEY,
  tenant_id uuid NOT NULL,
  lead_id uuid NOT NULL,
  direction text NOT NULL CHECK (direction IN ('inbound', 'outbound')),
  channel text NOT NULL CHECK (channel IN ('whatsapp', 'voice', 'sms')),
  body text NOT NULL,
  media jsonb NOT NULL DEFAULT '[]',
  provider_message_id text,
  scheduled_message_id uuid,
  status text NOT NULL CHECK (status IN ('received', 'pending', 'sent', 'delivered', 'read', 'failed')),
  created_at timestamptz NOT NULL,
  -- Insertion order: messages stamped with the same instant keep the order they were appended in.
  position bigint GENERATED ALWAYS AS IDENTITY,
  CONSTRAINT messages_lead_id_fkey FOREIGN KEY (tenant_id, lead_id) REFERENCES :SDR_SCHEMA.leads (tenant_id, id),
  -- Inbound dedupe: a re-delivered webhook carries a provider id already stored.
  CONSTRAINT messages_provider_message_id_key UNIQUE (tenant_id, channel, provider_message_id)
);
CREATE INDEX messages_lead_idx ON :SDR_SCHEMA.messages (tenant_id, lead_id, created_at, position);

CREATE TABLE :SDR_SCHEMA.appointments (
  id uuid PRIMARY KEY,
  tenant_id uuid NOT NULL,
  lead_id uuid NOT NULL,
  calendar_id text NOT NULL,
  start_at timestamptz NOT NULL,
  end_at timestamptz NOT NULL,
  status text NOT NULL CHECK (status IN ('scheduled', 'cancelled', 'completed', 'no_show')),
  calendar_event_id text,
  rescheduled_from_id uuid,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  version integer NOT NULL DEFAULT 0 CHECK (version >= 0),
  CONSTRAINT appointments_tenant_id_id_key UNIQUE (tenant_id, id),
  CONSTRAINT appointments_lead_id_fkey FOREIGN KEY (tenant_id, lead_id) REFERENCES :SDR_SCHEMA.leads (tenant_id, id),
  CONSTRAINT appointments_end_after_start CHECK (end_at > start_at),
  -- No double booking, whatever the code paths do: two scheduled appointments of one calendar
  -- never overlap (half-open ranges, so back-to-back meetings are fine).
  CONSTRAINT appointments_no_overlap EXCLUDE USING gist (
    tenant_id WITH =,
    calendar_id WITH =,
    tstzrange(start_at, end_at, '[)') WITH &&
  ) WHERE (status = 'scheduled')
);
CREATE INDEX appointments_lead_idx ON :SDR_SCHEMA.appointments (tenant_id, lead_id, start_at);

CREATE TABLE :SDR_SCHEMA.contacts (
  id uuid PRIMARY KEY,
  tenant_id uuid NOT NULL CONSTRAINT contacts_tenant_id_fkey REFERENCES :SDR_SCHEMA.tenants (id),
  phone text NOT NULL,
  name text,
  email text,
  opted_out boolean NOT NULL DEFAULT false,
  opted_out_at timestamptz,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  version integer NOT NULL DEFAULT 0 CHECK (version >= 0),
  CONSTRAINT contacts_tenant_id_id_key UNIQUE (tenant_id, id),
  CONSTRAINT contacts_tenant_phone_key UNIQUE (tenant_id, phone)
);

CREATE TABLE :SDR_SCHEMA.billing_cycles (
  id uuid PRIMARY KEY,
  tenant_id uuid NOT NULL,
  external_billing_id text NOT NULL,
  contact_id uuid NOT NULL,
  amount bigint NOT NULL CHECK (amount > 0),
  currency text NOT NULL,
  due_date date NOT NULL,
  status text NOT NULL CHECK (status IN ('active', 'paid', 'cancelled', 'completed')),
  steps jsonb NOT NULL DEFAULT '[]',
  metadata jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  version integer NOT NULL DEFAULT 0 CHECK (version >= 0),
  CONSTRAINT billing_cycles_tenant_id_id_key UNIQUE (tenant_id, id),
  CONSTRAINT billing_cycles_contact_id_fkey FOREIGN KEY (tenant_id, contact_id) REFERENCES :SDR_SCHEMA.contacts (tenant_id, id)
);
-- One ACTIVE cycle per external id and tenant, also under concurrent imports.
CREATE UNIQUE INDEX billing_cycles_one_active_key ON :SDR_SCHEMA.billing_cycles (tenant_id, external_billing_id) WHERE status = 'active';
CREATE INDEX billing_cycles_created_idx ON :SDR_SCHEMA.billing_cycles (tenant_id, created_at DESC, id DESC);
CREATE INDEX billing_cycles_contact_idx ON :SDR_SCHEMA.billing_cycles (tenant_id, contact_id);

CREATE TABLE :SDR_SCHEMA.templates (
  id uuid PRIMARY KEY,
  tenant_id uuid NOT NULL CONSTRAINT templates_tenant_id_fkey REFERENCES :SDR_SCHEMA.tenants (id),
  key text NOT NULL,
  locale text NOT NULL,
  variations jsonb NOT NULL,
  variables jsonb NOT NULL DEFAULT '[]',
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  version integer NOT NULL DEFAULT 0 CHECK (version >= 0),
  CONSTRAINT templates_tenant_key_locale_key UNIQUE (tenant_id, key, locale)
);
