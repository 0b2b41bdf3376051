-- An appointment id is the caller's idempotency key for a booking (`appointmentId`), so it is
-- unique per tenant, not across tenants: an id another tenant already used must neither be
-- refused nor reveal that it exists elsewhere. Every reference already goes through
-- (tenant_id, id), which stays unique; the primary key moves onto it.
ALTER TABLE :SDR_SCHEMA.appointments DROP CONSTRAINT appointments_pkey;
ALTER TABLE :SDR_SCHEMA.appointments ADD CONSTRAINT appointments_pkey PRIMARY KEY (tenant_id, id);
