-- Sign-ups waiting for their email to be confirmed (local auth with a mail transport configured). The user and its
-- account are created only when a link is used, so an unconfirmed address holds no account, cannot sign in and
-- cannot be squatted; each row keeps the password chosen with that sign-up. Tokens are stored as sha256 hashes.
create table if not exists local_signup_confirmations (
  token_hash text primary key,
  email text not null,
  password_hash text not null,
  expires_at timestamptz not null,
  used_at timestamptz,
  created_at timestamptz not null default now()
);
create index if not exists local_signup_confirmations_email_idx on local_signup_confirmations (email, created_at desc);
alter table local_signup_confirmations enable row level security;
