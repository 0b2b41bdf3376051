-- Whose sandbox channel sent a message. The list of a tenant's sends used to find the tenant
-- through the scheduled message the send was for — so the agent's replies, which are sent for a
-- conversation turn and not for a scheduled message, were missing from it. Rows written before
-- this column are still found through their scheduled message.
ALTER TABLE :SDR_SCHEMA.sandbox_messages ADD COLUMN account text;
CREATE INDEX sandbox_messages_account_newest ON :SDR_SCHEMA.sandbox_messages (account, accepted_at DESC, sequence DESC);
