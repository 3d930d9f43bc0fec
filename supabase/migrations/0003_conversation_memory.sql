-- Conversation memory: provenance, context, entities and edges (knowledge graph), filters for hybrid search.

alter table chat_messages drop constraint if exists chat_messages_role_check;
alter table chat_messages add constraint chat_messages_role_check check (role in ('user', 'assistant', 'system', 'tool'));
alter table chat_messages add column if not exists agent_id text;

-- The turn before a memory's source message: searchable (lower weight), shown in context, never the memory itself.
alter table memories add column if not exists context text;
alter table memories drop column if exists fts;
alter table memories add column fts tsvector generated always as (
  setweight(to_tsvector('english', content), 'A') || setweight(to_tsvector('english', coalesce(context, '')), 'D')
) stored;
create index if not exists memories_fts_idx on memories using gin (fts);
create index if not exists memories_user_category_idx on memories (account_id, end_user_id, category);
create index if not exists memories_superseded_by_idx on memories (superseded_by);

create table if not exists entities (
  id uuid primary key default gen_random_uuid(),
  account_id uuid not null references accounts(id) on delete cascade,
  end_user_id text not null,
  name text not null,
  normalized_name text not null,
  type text not null default 'thing',
  created_at timestamptz not null default now(),
  unique (account_id, end_user_id, normalized_name)
);

create table if not exists memory_entities (
  memory_id uuid not null references memories(id) on delete cascade,
  entity_id uuid not null references entities(id) on delete cascade,
  primary key (memory_id, entity_id)
);
create index if not exists memory_entities_entity_idx on memory_entities (entity_id);

create table if not exists edges (
  id uuid primary key default gen_random_uuid(),
  account_id uuid not null references accounts(id) on delete cascade,
  end_user_id text not null,
  source_entity_id uuid not null references entities(id) on delete cascade,
  target_entity_id uuid not null references entities(id) on delete cascade,
  relation text not null,
  memory_id uuid references memories(id) on delete cascade,
  created_at timestamptz not null default now()
);
create index if not exists edges_user_idx on edges (account_id, end_user_id);
create index if not exists edges_memory_idx on edges (memory_id);

-- Vector search optionally narrowed to one agent (keys scoped to an agent).
drop function if exists match_memories(uuid, text, vector, double precision, integer);
create or replace function match_memories(
  p_account_id uuid,
  p_end_user_id text,
  p_query_embedding vector,
  p_match_threshold double precision default 0.35,
  p_match_count integer default 10,
  p_agent_id text default null
)
returns table (
  id uuid, content text, metadata jsonb, importance real, access_count integer, created_at timestamptz,
  similarity double precision, combined_score double precision
)
language sql stable
as $$
  select m.id, m.content, m.metadata, m.importance, m.access_count, m.created_at,
         s.similarity, 0.7 * s.similarity + 0.3 * m.importance as combined_score
  from memories m
  cross join lateral (select 1 - (m.embedding <=> p_query_embedding) as similarity) s
  where m.account_id = p_account_id
    and m.end_user_id = p_end_user_id
    and (p_agent_id is null or m.agent_id = p_agent_id)
    and m.archived_at is null
    and m.superseded_by is null
    and m.embedding is not null
    and s.similarity >= p_match_threshold
  order by combined_score desc, s.similarity desc, m.id
  limit p_match_count
$$;

-- Hybrid retrieval with filters: agent, categories, metadata containment.
drop function if exists hybrid_match_memories(uuid, text, text, vector, integer, integer, double precision, double precision, double precision, integer);
create or replace function hybrid_match_memories(
  p_account_id uuid,
  p_end_user_id text,
  p_query_text text,
  p_query_embedding vector,
  p_match_count integer default 10,
  p_candidate_count integer default 50,
  p_vector_weight double precision default 1.0,
  p_keyword_weight double precision default 1.0,
  p_min_similarity double precision default 0.0,
  p_rrf_k integer default 60,
  p_agent_id text default null,
  p_categories text[] default null,
  p_metadata jsonb default null
)
returns table (
  id uuid, content text, similarity double precision, keyword_score double precision,
  vector_rank integer, keyword_rank integer, fused_score double precision
)
language sql stable
as $$
  with q as (select memory_keyword_query(p_query_text) as query),
  scoped as (
    select m.id, m.embedding, m.fts
    from memories m
    where m.account_id = p_account_id and m.end_user_id = p_end_user_id
      and m.archived_at is null and m.superseded_by is null and m.embedding is not null
      and (p_agent_id is null or m.agent_id = p_agent_id)
      and (p_categories is null or m.category = any(p_categories))
      and (p_metadata is null or m.metadata @> p_metadata)
  ),
  by_vector as (
    select s.id, row_number() over (order by s.embedding <=> p_query_embedding, s.id)::int as rank
    from scoped s
    order by s.embedding <=> p_query_embedding, s.id
    limit p_candidate_count
  ),
  by_keyword as (
    select s.id, ts_rank_cd(s.fts, q.query)::float8 as score,
           row_number() over (order by ts_rank_cd(s.fts, q.query) desc, s.id)::int as rank
    from scoped s, q
    where q.query is not null and s.fts @@ q.query
    order by score desc, s.id
    limit p_candidate_count
  ),
  fused as (
    select coalesce(v.id, k.id) as id, v.rank as vector_rank, k.rank as keyword_rank, k.score as keyword_score,
           coalesce(p_vector_weight / (p_rrf_k + v.rank), 0) + coalesce(p_keyword_weight / (p_rrf_k + k.rank), 0) as fused_score
    from by_vector v full outer join by_keyword k on k.id = v.id
  )
  select m.id, m.content, 1 - (m.embedding <=> p_query_embedding) as similarity,
         coalesce(f.keyword_score, 0), f.vector_rank, f.keyword_rank, f.fused_score
  from fused f join memories m on m.id = f.id
  where f.keyword_rank is not null or 1 - (m.embedding <=> p_query_embedding) >= p_min_similarity
  order by f.fused_score desc, m.id
  limit p_match_count
$$;
alter table memories add column if not exists slot text;
create index if not exists memories_user_slot_idx on memories (account_id, end_user_id, slot) where slot is not null;
