-- Row Level Security, for direct access through Supabase's REST API (PostgREST) with a user's session JWT:
-- a signed-in dashboard user sees only their own account's rows. The app itself connects as the table owner
-- (DATABASE_URL), which RLS does not restrict, and scopes every query by account in code.
--
-- On Supabase the `auth` schema, auth.uid() and the anon/authenticated roles already exist; elsewhere (PGlite,
-- plain Postgres) minimal stand-ins are created, reading the same request.jwt.claims setting PostgREST sets.
do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'anon') then create role anon nologin; end if;
  if not exists (select 1 from pg_roles where rolname = 'authenticated') then create role authenticated nologin; end if;
  if not exists (select 1 from pg_namespace where nspname = 'auth') then create schema auth; end if;
  if not exists (select 1 from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'auth' and p.proname = 'uid') then
    create function auth.uid() returns uuid language sql stable as
      $f$ select nullif(coalesce(current_setting('request.jwt.claim.sub', true), (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')), '')::uuid $f$;
  end if;
end
$$;

grant usage on schema auth to anon, authenticated;

-- The accounts the current JWT's user belongs to.
create or replace function public.current_account_ids() returns setof uuid
language sql stable security definer set search_path = public
as $$ select account_id from account_members where user_id = auth.uid() $$;

grant usage on schema public to anon, authenticated;
grant select on accounts, account_members, memories, entities, memory_entities, edges, memory_links,
  summary_sources, chat_messages, usage_counters, request_log, maintenance_runs to authenticated;
-- Keys without their secret hash.
grant select (id, account_id, name, prefix, last_four, scopes, created_at, last_used_at, revoked_at) on api_keys to authenticated;
grant delete on memories to authenticated;
-- The quota counter is kept by a trigger that must work whoever deletes.
alter function memories_count_trigger() security definer set search_path = public;

do $$
declare
  t text;
begin
  foreach t in array array['accounts', 'account_members', 'api_keys', 'memories', 'entities', 'edges', 'memory_links',
                           'chat_messages', 'usage_counters', 'request_log', 'maintenance_runs', 'memory_entities',
                           'summary_sources', 'local_users', 'local_refresh_tokens', 'local_revoked_sessions',
                           'app_settings', 'stripe_events', 'schema_migrations']
  loop
    execute format('alter table %I enable row level security', t);
  end loop;
end
$$;

drop policy if exists accounts_own on accounts;
create policy accounts_own on accounts for select to authenticated using (id in (select public.current_account_ids()));
drop policy if exists members_own on account_members;
create policy members_own on account_members for select to authenticated using (account_id in (select public.current_account_ids()));
drop policy if exists api_keys_own on api_keys;
create policy api_keys_own on api_keys for select to authenticated using (account_id in (select public.current_account_ids()));
drop policy if exists memories_own on memories;
create policy memories_own on memories for select to authenticated using (account_id in (select public.current_account_ids()));
drop policy if exists memories_delete_own on memories;
create policy memories_delete_own on memories for delete to authenticated using (account_id in (select public.current_account_ids()));
drop policy if exists entities_own on entities;
create policy entities_own on entities for select to authenticated using (account_id in (select public.current_account_ids()));
drop policy if exists edges_own on edges;
create policy edges_own on edges for select to authenticated using (account_id in (select public.current_account_ids()));
drop policy if exists links_own on memory_links;
create policy links_own on memory_links for select to authenticated using (account_id in (select public.current_account_ids()));
drop policy if exists chat_own on chat_messages;
create policy chat_own on chat_messages for select to authenticated using (account_id in (select public.current_account_ids()));
drop policy if exists usage_own on usage_counters;
create policy usage_own on usage_counters for select to authenticated using (account_id in (select public.current_account_ids()));
drop policy if exists request_log_own on request_log;
create policy request_log_own on request_log for select to authenticated using (account_id in (select public.current_account_ids()));
drop policy if exists runs_own on maintenance_runs;
create policy runs_own on maintenance_runs for select to authenticated using (account_id in (select public.current_account_ids()));
drop policy if exists memory_entities_own on memory_entities;
create policy memory_entities_own on memory_entities for select to authenticated
  using (exists (select 1 from memories m where m.id = memory_id and m.account_id in (select public.current_account_ids())));
drop policy if exists summary_sources_own on summary_sources;
create policy summary_sources_own on summary_sources for select to authenticated
  using (exists (select 1 from memories m where m.id = summary_id and m.account_id in (select public.current_account_ids())));
-- local_users, refresh tokens, app_settings (secrets), stripe_events and schema_migrations have no policies:
-- with RLS on, nobody but the owner reads them.
