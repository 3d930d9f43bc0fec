-- Scheduled (operator) maintenance must not prune or charge customers behind their back:
-- * accounts.scheduled_pruning: the cron run archives an account's stale memories only when the account opted in
--   (default off); the account's own prune requests are unaffected.
-- * memories.stored_at: when the row was written here. Scheduled staleness counts from it (or the last access), never
--   from created_at, which an import or an ingest `timestamp` may backdate. Rows that exist before this migration
--   count as stored now: the safe side, nothing is archived earlier than it would have been.
-- * Summaries (source 'summary') are derived from memories the plan already counts: memory_count leaves them out,
--   so a maintenance run never uses up a customer's memory quota.
alter table accounts add column if not exists scheduled_pruning boolean not null default false;
alter table memories add column if not exists stored_at timestamptz not null default now();

create or replace function memories_count_trigger() returns trigger
language plpgsql security definer set search_path = public as $$
begin
  if tg_op = 'INSERT' then
    if new.archived_at is null and new.superseded_by is null and new.source <> 'summary' then
      update accounts set memory_count = memory_count + 1 where id = new.account_id;
    end if;
  elsif tg_op = 'DELETE' then
    if old.archived_at is null and old.superseded_by is null and old.source <> 'summary' then
      update accounts set memory_count = memory_count - 1 where id = old.account_id;
    end if;
  elsif tg_op = 'UPDATE' and new.source <> 'summary' then
    if (old.archived_at is null and old.superseded_by is null) and not (new.archived_at is null and new.superseded_by is null) then
      update accounts set memory_count = memory_count - 1 where id = new.account_id;
    elsif not (old.archived_at is null and old.superseded_by is null) and (new.archived_at is null and new.superseded_by is null) then
      update accounts set memory_count = memory_count + 1 where id = new.account_id;
    end if;
  end if;
  return null;
end
$$;

update accounts a set memory_count = (
  select count(*) from memories m where m.account_id = a.id and m.archived_at is null and m.superseded_by is null and m.source <> 'summary'
);
