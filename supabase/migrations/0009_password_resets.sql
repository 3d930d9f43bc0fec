-- Password reset tokens for the built-in local auth (one use, one hour).
create table if not exists local_password_resets (
  token_hash text primary key,
  user_id uuid not null references local_users(id) on delete cascade,
  expires_at timestamptz not null,
  used_at timestamptz,
  created_at timestamptz not null default now()
);
alter table local_password_resets enable row level security;
