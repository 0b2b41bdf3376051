-- The server's own tables, beside the store's (schema :SDR_SCHEMA, default sdr_server).

-- One row per worker loop of a process: the last time it completed a pass. Alert evaluation
-- reads it across every process sharing the database (a dispatcher silent for too long).
CREATE TABLE :SDR_SCHEMA.worker_heartbeats (
  worker_id text PRIMARY KEY,
  component text NOT NULL,
  process_id text NOT NULL,
  started_at timestamptz NOT NULL,
  last_beat_at timestamptz NOT NULL
);
CREATE INDEX worker_heartbeats_component ON :SDR_SCHEMA.worker_heartbeats (component, last_beat_at DESC);

-- Settings of this deployment that every process must agree on (the demo tenant's id, the
-- sandbox clock's offset).
CREATE TABLE :SDR_SCHEMA.settings (
  key text PRIMARY KEY,
  value jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
