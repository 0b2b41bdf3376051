-- The built-in agent's tables (schema :SDR_SCHEMA, default sdr_server).

-- A tenant's agent settings (its persona), as set through `PUT /v1/agent/settings` or `sdr agent
-- settings set`. A tenant without a row uses the defaults. `version` counts the changes; every
-- process reads a row again once its short cache has expired, so a change is used everywhere
-- within seconds.
CREATE TABLE :SDR_SCHEMA.agent_settings (
  tenant_id text PRIMARY KEY,
  settings jsonb NOT NULL,
  version integer NOT NULL CHECK (version >= 1),
  updated_at timestamptz NOT NULL
);

-- What the agent keeps about a lead between turns: the slots it offered (the only ones it may
-- book, newest first, ISO instants) and the newest inbound message a reply answered. Kept here
-- rather than in a process, so a restart or another process between the offer and the pick
-- still books the slot picked.
CREATE TABLE :SDR_SCHEMA.agent_lead_states (
  tenant_id text NOT NULL,
  lead_id text NOT NULL,
  offered_slots jsonb NOT NULL,
  answered_through text,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, lead_id)
);

-- One row per turn of the agent: outcome, tools used, timings. No message text, no personal data.
-- The latest turns of each lead are kept (the store prunes the older ones as it records).
CREATE TABLE :SDR_SCHEMA.agent_turns (
  id text PRIMARY KEY,
  tenant_id text NOT NULL,
  lead_id text NOT NULL,
  started_at timestamptz NOT NULL,
  finished_at timestamptz NOT NULL,
  outcome text NOT NULL CHECK (outcome IN ('replied', 'skipped', 'handed_off', 'failed')),
  reason text,
  attempts integer NOT NULL,
  steps integer NOT NULL,
  tool_calls jsonb NOT NULL,
  reply_message_id text,
  model_ms double precision NOT NULL,
  total_ms double precision NOT NULL
);
CREATE INDEX agent_turns_lead ON :SDR_SCHEMA.agent_turns (tenant_id, lead_id, started_at DESC, id DESC);
