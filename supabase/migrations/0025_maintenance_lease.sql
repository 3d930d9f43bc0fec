-- A maintenance run holds a lease: the process running it writes heartbeat_at as it goes, and a run whose heartbeat
-- has gone stale (its process stopped) is claimed by the next cron tick or process start and resumed from its progress.
-- attempts counts the starts (the first one included), so a run that keeps dying is given up, not retried forever.
-- checkpoint is what a resumed run goes on from (steps done with their counts, the current step's end users done and
-- counts so far); progress stays what the account is shown.
alter table maintenance_runs add column if not exists heartbeat_at timestamptz;
alter table maintenance_runs add column if not exists attempts int not null default 1;
alter table maintenance_runs add column if not exists checkpoint jsonb not null default '{}'::jsonb;
update maintenance_runs set heartbeat_at = coalesce(finished_at, started_at) where heartbeat_at is null;
alter table maintenance_runs alter column heartbeat_at set default now();
alter table maintenance_runs alter column heartbeat_at set not null;
-- The resumer's look-up: running runs by heartbeat (few rows, whatever the number of finished runs).
create index if not exists maintenance_runs_heartbeat_idx on maintenance_runs (heartbeat_at) where status = 'running';
