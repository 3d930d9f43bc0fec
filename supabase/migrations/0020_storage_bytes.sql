-- Storage per account, so the plan's storageLimitMb can be enforced and reported without reading the account's rows.
-- accounts.storage_bytes is kept by triggers, as memory_count is (0006, 0018), so every write and deletion path
-- (API, ingest, chat, import, prune, end-user erasure, an account's cascade) moves it. It counts:
-- * every memory row, active, archived or superseded alike: its content, metadata and context in bytes, plus a fixed
--   cost for what else the row holds (two embeddings, the full-text vector, index entries, the row header): 6 KiB,
--   measured on PGlite with the default 384-dimension model (2,000 rows of ~65 characters took 6,275 bytes each);
-- * every chat message: its content plus 256 bytes per row (measured: 299 bytes each for ~65 characters).
-- Summaries (source 'summary') are left out, as memory_count leaves them out: derived from memories already counted,
-- written by maintenance, never a customer's quota. The byte functions are the ones the app checks a write with, so
-- the check and the counter agree exactly.
alter table accounts add column if not exists storage_bytes bigint not null default 0;

create or replace function memory_storage_bytes(p_content text, p_metadata jsonb, p_context text) returns bigint
language sql immutable parallel safe as $$
  select octet_length(p_content)::bigint + coalesce(octet_length(p_metadata::text), 0) + coalesce(octet_length(p_context), 0) + 6144
$$;

create or replace function chat_message_storage_bytes(p_content text) returns bigint
language sql immutable parallel safe as $$
  select octet_length(p_content)::bigint + 256
$$;

create or replace function memories_storage_trigger() returns trigger
language plpgsql security definer set search_path = public as $$
declare
  delta bigint := 0;
  account uuid;
begin
  if tg_op in ('INSERT', 'UPDATE') and new.source <> 'summary' then
    delta := delta + memory_storage_bytes(new.content, new.metadata, new.context);
  end if;
  if tg_op in ('DELETE', 'UPDATE') and old.source <> 'summary' then
    delta := delta - memory_storage_bytes(old.content, old.metadata, old.context);
  end if;
  if tg_op = 'DELETE' then account := old.account_id; else account := new.account_id; end if;
  if delta <> 0 then
    update accounts set storage_bytes = storage_bytes + delta where id = account;
  end if;
  return null;
end
$$;

drop trigger if exists memories_storage on memories;
create trigger memories_storage after insert or delete or update of content, metadata, context on memories
  for each row execute function memories_storage_trigger();

create or replace function chat_messages_storage_trigger() returns trigger
language plpgsql security definer set search_path = public as $$
declare
  delta bigint := 0;
  account uuid;
begin
  if tg_op in ('INSERT', 'UPDATE') then
    delta := delta + chat_message_storage_bytes(new.content);
  end if;
  if tg_op in ('DELETE', 'UPDATE') then
    delta := delta - chat_message_storage_bytes(old.content);
  end if;
  if tg_op = 'DELETE' then account := old.account_id; else account := new.account_id; end if;
  if delta <> 0 then
    update accounts set storage_bytes = storage_bytes + delta where id = account;
  end if;
  return null;
end
$$;

drop trigger if exists chat_messages_storage on chat_messages;
create trigger chat_messages_storage after insert or delete or update of content on chat_messages
  for each row execute function chat_messages_storage_trigger();

-- What the counter must equal, recomputed from the rows (the backfill below; tests compare the two).
create or replace function account_storage_bytes(p_account_id uuid) returns bigint
language sql stable as $$
  select (select coalesce(sum(memory_storage_bytes(m.content, m.metadata, m.context)), 0)
          from memories m where m.account_id = p_account_id and m.source <> 'summary')::bigint
       + (select coalesce(sum(chat_message_storage_bytes(c.content)), 0) from chat_messages c where c.account_id = p_account_id)::bigint
$$;

update accounts set storage_bytes = account_storage_bytes(id);
