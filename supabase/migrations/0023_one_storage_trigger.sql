-- One trigger function keeps accounts.storage_bytes for both tables 0020 meters, memories and chat_messages: the two
-- functions of 0020 differed only in what a row costs. The costs are unchanged (memory_storage_bytes for a memory
-- other than a summary, chat_message_storage_bytes for a chat message), as are the triggers' events and columns.
create or replace function storage_bytes_trigger() returns trigger
language plpgsql security definer set search_path = public as $$
declare
  added bigint := 0;
  removed bigint := 0;
  account uuid;
begin
  if tg_table_name = 'memories' then
    if tg_op in ('INSERT', 'UPDATE') and new.source <> 'summary' then
      added := memory_storage_bytes(new.content, new.metadata, new.context);
    end if;
    if tg_op in ('DELETE', 'UPDATE') and old.source <> 'summary' then
      removed := memory_storage_bytes(old.content, old.metadata, old.context);
    end if;
  else
    if tg_op in ('INSERT', 'UPDATE') then
      added := chat_message_storage_bytes(new.content);
    end if;
    if tg_op in ('DELETE', 'UPDATE') then
      removed := chat_message_storage_bytes(old.content);
    end if;
  end if;
  if tg_op = 'DELETE' then account := old.account_id; else account := new.account_id; end if;
  if added <> removed then
    update accounts set storage_bytes = storage_bytes + added - removed where id = account;
  end if;
  return null;
end
$$;

drop trigger if exists memories_storage on memories;
create trigger memories_storage after insert or delete or update of content, metadata, context on memories
  for each row execute function storage_bytes_trigger();

drop trigger if exists chat_messages_storage on chat_messages;
create trigger chat_messages_storage after insert or delete or update of content on chat_messages
  for each row execute function storage_bytes_trigger();

drop function if exists memories_storage_trigger();
drop function if exists chat_messages_storage_trigger();
