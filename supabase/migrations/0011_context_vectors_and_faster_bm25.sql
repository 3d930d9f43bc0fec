-- Context vectors, and BM25 without sorting.
-- 1. context_embedding: a conversation turn is ranked by its own embedding blended with the turn before it
--    (normalise(own + 0.5 · previous)), so an answer is found by the words of its question. `embedding` stays the
--    memory's own vector, so reported similarity and similarity_threshold keep their meaning.
-- 2. bm25_match_memories: one row per matching memory and query term (a tsvector holds each lexeme once), no sort
--    of the unnested rows, and the collection statistics computed once per call.

alter table memories add column if not exists context_embedding vector;

-- BM25 as in 0004 (same signature and formula), computed without sorting or grouping the unnested lexemes; the
-- query matches stemmed lexemes as they are (0004 stemmed them a second time through the english configuration).
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
  q as (
    select case when count(*) = 0 then null
                else to_tsquery('simple', string_agg(quote_literal(t.lexeme), ' | ')) end as query
    from terms t
  ),
  scoped as (
    select m.id, m.fts
    from memories m
    where m.account_id = p_account_id and m.end_user_id = p_end_user_id
      and m.archived_at is null and m.superseded_by is null
      and (p_agent_id is null or m.agent_id = p_agent_id)
      and (p_categories is null or m.category = any(p_categories))
      and (p_metadata is null or m.metadata @> p_metadata)
  ),
  stats as materialized (select count(*)::float8 as n, greatest(avg(length(s.fts)), 1)::float8 as avgdl from scoped s),
  matching as (select s.id, s.fts, length(s.fts)::float8 as dl from scoped s, q where q.query is not null and s.fts @@ q.query),
  term_list as (select array_agg(t.lexeme) as lexemes from terms t),
  -- One row per matching memory and query term (a tsvector holds each lexeme once); occurrences in the context
  -- (weight 'D') count p_context_weight. No grouping or sorting of the unnested rows.
  tf as (
    select mt.id, u.lexeme, mt.dl,
           (coalesce(cardinality(u.weights), 1) - (1 - p_context_weight) * coalesce(cardinality(array_positions(u.weights, 'D')), 0))::float8 as tf
    from matching mt
    cross join term_list tl
    cross join lateral unnest(mt.fts) as u(lexeme, positions, weights)
    where u.lexeme = any(tl.lexemes)
  ),
  df as materialized (select tf.lexeme, count(*)::float8 as df from tf group by tf.lexeme),
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

drop function if exists hybrid_match_memories(uuid, text, text, vector, integer, integer, double precision, double precision, double precision, integer, text, text[], jsonb);

-- Hybrid retrieval as in 0004; the vector list ranks by the context vector where a memory has one, and BM25's
-- k1, b and context weight can be set by the caller (lib/memory/search/ranking.ts).
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
  p_metadata jsonb default null,
  p_k1 double precision default 1.2,
  p_b double precision default 0.75,
  p_context_weight double precision default 0.3
)
returns table (
  id uuid, content text, similarity double precision, keyword_score double precision,
  vector_rank integer, keyword_rank integer, fused_score double precision
)
language sql stable
as $$
  with scoped as (
    select m.id, coalesce(m.context_embedding, m.embedding) as ranking_embedding
    from memories m
    where m.account_id = p_account_id and m.end_user_id = p_end_user_id
      and m.archived_at is null and m.superseded_by is null and m.embedding is not null
      and (p_agent_id is null or m.agent_id = p_agent_id)
      and (p_categories is null or m.category = any(p_categories))
      and (p_metadata is null or m.metadata @> p_metadata)
  ),
  by_vector as (
    select s.id, row_number() over (order by s.ranking_embedding <=> p_query_embedding, s.id)::int as rank
    from scoped s
    order by s.ranking_embedding <=> p_query_embedding, s.id
    limit p_candidate_count
  ),
  by_keyword as (
    select b.id, b.score, b.rank
    from bm25_match_memories(p_account_id, p_end_user_id, p_query_text, p_candidate_count, p_agent_id, p_categories, p_metadata, p_k1, p_b, p_context_weight) b
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
