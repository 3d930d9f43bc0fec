-- Quotas and billing. memory_count is kept by triggers so every deletion path (API, prune, end-user erase)
-- frees quota; stores lock the account row to check it, so racing requests cannot overshoot the plan.
alter table accounts add column if not exists memory_count integer not null default 0;
alter table accounts add column if not exists stripe_customer_id text unique;
alter table accounts add column if not exists stripe_subscription_id text;
alter table accounts add column if not exists subscription_status text;
alter table accounts add column if not exists billing_updated_at timestamptz;

update accounts a set memory_count = (
  select count(*) from memories m where m.account_id = a.id and m.archived_at is null and m.superseded_by is null
);

create or replace function memories_count_trigger() returns trigger
language plpgsql as $$
begin
  if tg_op = 'INSERT' then
    if new.archived_at is null and new.superseded_by is null then
      update accounts set memory_count = memory_count + 1 where id = new.account_id;
    end if;
  elsif tg_op = 'DELETE' then
    if old.archived_at is null and old.superseded_by is null then
      update accounts set memory_count = memory_count - 1 where id = old.account_id;
    end if;
  elsif tg_op = 'UPDATE' then
    if (old.archived_at is null and old.superseded_by is null) and not (new.archived_at is null and new.superseded_by is null) then
      update accounts set memory_count = memory_count - 1 where id = new.account_id;
    elsif not (old.archived_at is null and old.superseded_by is null) and (new.archived_at is null and new.superseded_by is null) then
      update accounts set memory_count = memory_count + 1 where id = new.account_id;
    end if;
  end if;
  return null;
end
$$;

drop trigger if exists memories_count on memories;
create trigger memories_count after insert or delete or update of archived_at, superseded_by on memories
  for each row execute function memories_count_trigger();

-- Stripe events already applied (replays are ignored).
create table if not exists stripe_events (
  id text primary key,
  type text not null,
  account_id uuid references accounts(id) on delete set null,
  created_at timestamptz not null,
  processed_at timestamptz not null default now()
);
