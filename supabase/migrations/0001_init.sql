-- Core schema: accounts, dashboard users, API keys, memories, usage.
create extension if not exists vector;

create table if not exists app_settings (
  key text primary key,
  value text not null,
  updated_at timestamptz not null default now()
);

create table if not exists accounts (
  id uuid primary key default gen_random_uuid(),
  name text not null default '',
  plan text not null default 'free',
  created_at timestamptz not null default now()
);

-- A dashboard user (the JWT subject, local or Supabase Auth) belongs to one account.
create table if not exists account_members (
  user_id uuid primary key,
  account_id uuid not null references accounts(id) on delete cascade,
  email text not null,
  role text not null default 'owner',
  created_at timestamptz not null default now()
);
create index if not exists account_members_account_idx on account_members (account_id);

-- Built-in email + password accounts, used only when Supabase Auth is not configured.
create table if not exists local_users (
  id uuid primary key default gen_random_uuid(),
  email text not null unique,
  password_hash text not null,
  created_at timestamptz not null default now(),
  last_sign_in_at timestamptz
);

create table if not exists local_refresh_tokens (
  token_hash text primary key,
  user_id uuid not null references local_users(id) on delete cascade,
  session_id uuid not null,
  expires_at timestamptz not null,
  revoked_at timestamptz,
  created_at timestamptz not null default now()
);
create index if not exists local_refresh_tokens_session_idx on local_refresh_tokens (session_id);

create table if not exists local_revoked_sessions (
  session_id uuid primary key,
  revoked_at timestamptz not null default now()
);

-- Keys look like mlive_<id>_<secret>; only a hash of the secret is kept.
create table if not exists api_keys (
  id text primary key,
  account_id uuid not null references accounts(id) on delete cascade,
  created_by uuid,
  name text not null,
  secret_hash text not null,
  prefix text not null,
  last_four text not null,
  scopes text[] not null default '{}',
  created_at timestamptz not null default now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);
create index if not exists api_keys_account_idx on api_keys (account_id, created_at desc);

create table if not exists memories (
  id uuid primary key default gen_random_uuid(),
  account_id uuid not null references accounts(id) on delete cascade,
  end_user_id text not null,
  agent_id text,
  conversation_id text,
  content text not null,
  metadata jsonb not null default '{}'::jsonb,
  category text,
  importance real not null default 0.5,
  base_importance real not null default 0.5,
  access_count integer not null default 0,
  last_accessed_at timestamptz,
  -- Dimensionless so the embedding model can change (npm run reembed); the model in use is in app_settings.
  embedding vector,
  fts tsvector generated always as (to_tsvector('english', content)) stored,
  source text not null default 'api',
  source_message_ids text[] not null default '{}',
  valid_from timestamptz not null default now(),
  valid_to timestamptz,
  superseded_by uuid references memories(id) on delete set null,
  archived_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index if not exists memories_user_created_idx on memories (account_id, end_user_id, created_at desc, id);
create index if not exists memories_account_created_idx on memories (account_id, created_at desc, id);
create index if not exists memories_fts_idx on memories using gin (fts);

create table if not exists chat_messages (
  id uuid primary key default gen_random_uuid(),
  account_id uuid not null references accounts(id) on delete cascade,
  end_user_id text not null,
  conversation_id text not null,
  role text not null check (role in ('user', 'assistant')),
  content text not null,
  created_at timestamptz not null default now()
);
create index if not exists chat_messages_thread_idx on chat_messages (account_id, end_user_id, conversation_id, created_at desc);

-- Usage counters per account, metric (searches, tokens_prompt, …) and period (e.g. 2026-11 or 2026-11-21).
create table if not exists usage_counters (
  account_id uuid not null references accounts(id) on delete cascade,
  metric text not null,
  period text not null,
  value bigint not null default 0,
  primary key (account_id, metric, period)
);

create table if not exists request_log (
  id bigint generated always as identity primary key,
  account_id uuid references accounts(id) on delete cascade,
  api_key_id text,
  request_id text not null,
  method text not null,
  path text not null,
  status integer not null,
  duration_ms integer not null,
  created_at timestamptz not null default now()
);
create index if not exists request_log_account_idx on request_log (account_id, created_at desc);

-- The search query path. The app calls it, and so can Supabase customers through supabase.rpc('match_memories', …).
-- Exact (sequential within one end user's rows, found through the btree index), so it never misses a memory.
create or replace function match_memories(
  p_account_id uuid,
  p_end_user_id text,
  p_query_embedding vector,
  p_match_threshold double precision default 0.35,
  p_match_count integer default 10
)
returns table (
  id uuid,
  content text,
  metadata jsonb,
  importance real,
  access_count integer,
  created_at timestamptz,
  similarity double precision,
  combined_score double precision
)
language sql stable
as $$
  select m.id, m.content, m.metadata, m.importance, m.access_count, m.created_at,
         s.similarity,
         0.7 * s.similarity + 0.3 * m.importance as combined_score
  from memories m
  cross join lateral (select 1 - (m.embedding <=> p_query_embedding) as similarity) s
  where m.account_id = p_account_id
    and m.end_user_id = p_end_user_id
    and m.archived_at is null
    and m.superseded_by is null
    and m.embedding is not null
    and s.similarity >= p_match_threshold
  order by combined_score desc, s.similarity desc, m.id
  limit p_match_count
$$;
