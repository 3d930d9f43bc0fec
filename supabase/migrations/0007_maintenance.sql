-- Maintenance: similarity links, summaries with their sources, and a record of every job run.
create table if not exists memory_links (
  account_id uuid not null references accounts(id) on delete cascade,
  end_user_id text not null,
  source_id uuid not null references memories(id) on delete cascade,
  target_id uuid not null references memories(id) on delete cascade,
  similarity real not null,
  created_at timestamptz not null default now(),
  primary key (source_id, target_id)
);
create index if not exists memory_links_user_idx on memory_links (account_id, end_user_id);

alter table memories add column if not exists cluster_key text;

create table if not exists summary_sources (
  summary_id uuid not null references memories(id) on delete cascade,
  source_id uuid not null references memories(id) on delete cascade,
  primary key (summary_id, source_id)
);
create index if not exists summary_sources_source_idx on summary_sources (source_id);

create table if not exists maintenance_runs (
  id uuid primary key default gen_random_uuid(),
  account_id uuid not null references accounts(id) on delete cascade,
  job_type text not null,
  trigger text not null default 'api',
  status text not null default 'running' check (status in ('running', 'succeeded', 'failed', 'interrupted')),
  params jsonb not null default '{}'::jsonb,
  progress jsonb not null default '{}'::jsonb,
  counts jsonb not null default '{}'::jsonb,
  error text,
  started_at timestamptz not null default now(),
  finished_at timestamptz
);
create index if not exists maintenance_runs_account_idx on maintenance_runs (account_id, started_at desc);
