-- Where the calendar sync keeps its place: the provider's sync token of each tenant calendar.
CREATE TABLE :SDR_SCHEMA.calendar_sync_tokens (
  tenant_id uuid NOT NULL CONSTRAINT calendar_sync_tokens_tenant_id_fkey REFERENCES :SDR_SCHEMA.tenants (id),
  calendar_id text NOT NULL,
  sync_token text NOT NULL,
  updated_at timestamptz NOT NULL,
  CONSTRAINT calendar_sync_tokens_pkey PRIMARY KEY (tenant_id, calendar_id)
);
