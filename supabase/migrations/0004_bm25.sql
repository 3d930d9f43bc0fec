-- BM25 keyword relevance inside one end user's memories (Postgres' ts_rank has no inverse document frequency).
-- Document frequencies come from the user's own memories at query time; a memory's context (the turn before)
-- counts with p_context_weight. Plain SQL, so it runs on Supabase and PGlite alike.
create or replace function bm25_match_memories(
  p_account_id uuid,
  p_end_user_id text,
  p_query_text text,
  p_match_count integer default 50,
  p_agent_id text default null,
  p_categories text[] default null,
  p_metadata jsonb default null,
  p_k1 double precision default 1.2,
  p_b double precision default 0.75,
  p_context_weight double precision default 0.3
)
returns table (id uuid, score double precision, rank integer)
language sql stable
as $$
  with terms as (
    select distinct lexeme from unnest(tsvector_to_array(to_tsvector('english', coalesce(p_query_text, '')))) as lexeme
  ),
  q as (select memory_keyword_query(p_query_text) as query),
  scoped as (
    select m.id, m.fts
    from memories m
    where m.account_id = p_account_id and m.end_user_id = p_end_user_id
      and m.archived_at is null and m.superseded_by is null
      and (p_agent_id is null or m.agent_id = p_agent_id)
      and (p_categories is null or m.category = any(p_categories))
      and (p_metadata is null or m.metadata @> p_metadata)
  ),
  stats as (select count(*)::float8 as n, greatest(avg(length(s.fts)), 1)::float8 as avgdl from scoped s),
  matching as (select s.id, s.fts from scoped s, q where q.query is not null and s.fts @@ q.query),
  tf as (
    select mt.id, u.lexeme, length(mt.fts)::float8 as dl,
           sum(case when w = 'D' then p_context_weight else 1.0 end)::float8 as tf
    from matching mt
    cross join lateral unnest(mt.fts) as u(lexeme, positions, weights)
    cross join lateral unnest(coalesce(u.weights, array['A']::text[])) as w
    where u.lexeme in (select t.lexeme from terms t)
    group by mt.id, u.lexeme, mt.fts
  ),
  df as (select tf.lexeme, count(*)::float8 as df from tf group by tf.lexeme),
  scored as (
    select tf.id,
           sum(ln(1 + (st.n - df.df + 0.5) / (df.df + 0.5)) * tf.tf * (p_k1 + 1)
               / (tf.tf + p_k1 * (1 - p_b + p_b * tf.dl / st.avgdl))) as score
    from tf join df on df.lexeme = tf.lexeme cross join stats st
    group by tf.id
  )
  select s.id, s.score, row_number() over (order by s.score desc, s.id)::int as rank
  from scored s
  order by s.score desc, s.id
  limit p_match_count
$$;

-- Hybrid retrieval now fuses vector similarity with BM25.
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
  with scoped as (
    select m.id, m.embedding
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
    select b.id, b.score, b.rank
    from bm25_match_memories(p_account_id, p_end_user_id, p_query_text, p_candidate_count, p_agent_id, p_categories, p_metadata) b
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
