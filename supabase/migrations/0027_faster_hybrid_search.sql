-- Faster hybrid search, same results (tests/integration/hybrid-plan.test.ts compares it with 0015's). Measured on 100
-- memories of one end user that all match the query's terms (EXPLAIN ANALYZE in process, PGlite): execution 21.7 ms
-- before (15 ms of it BM25), 15.2 ms after (BM25 8 ms).
-- 1. bm25_match_memories: the query (`q`) and its term list (`term_list`) were CTEs read once, so Postgres inlined
--    them into the join and rebuilt both for every memory of the end user (to_tsquery and string_agg 100 times).
--    Materialized, they are built once.
-- 2. hybrid_match_memories: each candidate was read again by id to compute its own cosine and return its content
--    (TOASTed vectors fetched twice). The scan of the end user's memories now keeps both.
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
  with terms as materialized (
    select distinct lexeme from unnest(tsvector_to_array(to_tsvector('english', coalesce(p_query_text, '')))) as lexeme
  ),
  q as materialized (
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
  term_list as materialized (select array_agg(t.lexeme) as lexemes from terms t),
  -- One row per matching memory and query term (a tsvector holds each lexeme once); occurrences in the context
  -- (weight 'D') count p_context_weight. The memory's vector is cut down to the query's terms before it is
  -- unnested: deleting the query's terms leaves the others, and deleting those leaves the query's terms with their
  -- positions and weights.
  tf as (
    select mt.id, u.lexeme, mt.dl,
           (coalesce(cardinality(u.weights), 1) - (1 - p_context_weight) * coalesce(cardinality(array_positions(u.weights, 'D')), 0))::float8 as tf
    from matching mt
    cross join term_list tl
    cross join lateral unnest(ts_delete(mt.fts, tsvector_to_array(ts_delete(mt.fts, tl.lexemes)))) as u(lexeme, positions, weights)
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

create or replace function hybrid_match_memories(
  p_account_id uuid,
  p_end_user_id text,
  p_query_text text,
  p_query_embedding vector,
  p_match_count integer default 10,
  p_candidate_count integer default 200,
  p_vector_weight double precision default 1.0,
  p_keyword_weight double precision default 1.0,
  p_min_similarity double precision default 0.0,
  p_agent_id text default null,
  p_categories text[] default null,
  p_metadata jsonb default null,
  p_k1 double precision default 1.2,
  p_b double precision default 0.75,
  p_context_weight double precision default 0.3
)
returns table (
  id uuid, content text, similarity double precision, keyword_score double precision,
  vector_rank integer, keyword_rank integer, vector_part double precision, keyword_part double precision,
  fused_score double precision
)
language sql stable
as $$
  with scoped as materialized (
    -- distance ranks (the context vector when the memory has one); own_distance is the memory's own cosine distance,
    -- computed apart only when a context vector was used.
    select m.id, m.content, coalesce(m.context_embedding, m.embedding) <=> p_query_embedding as distance,
           case when m.context_embedding is not null then m.embedding <=> p_query_embedding end as own_distance
    from memories m
    where m.account_id = p_account_id and m.end_user_id = p_end_user_id
      and m.archived_at is null and m.superseded_by is null and m.embedding is not null
      and (p_agent_id is null or m.agent_id = p_agent_id)
      and (p_categories is null or m.category = any(p_categories))
      and (p_metadata is null or m.metadata @> p_metadata)
  ),
  vector_bounds as materialized (select min(s.distance) as nearest, max(s.distance) as farthest from scoped s),
  by_vector as materialized (
    select s.id, row_number() over (order by s.distance, s.id)::int as rank
    from scoped s
    order by s.distance, s.id
    limit p_candidate_count
  ),
  -- Every BM25 match (not only the top ones), so a candidate from the vector list gets its true keyword part.
  by_keyword as materialized (
    select b.id, b.score, b.rank
    from bm25_match_memories(p_account_id, p_end_user_id, p_query_text, 2147483647, p_agent_id, p_categories, p_metadata, p_k1, p_b, p_context_weight) b
  ),
  keyword_bounds as materialized (select max(k.score) as best from by_keyword k),
  -- One row per memory and list it is in, folded by id: a scoped memory that is in the vector top-k or among the
  -- first p_candidate_count BM25 matches (a BM25 match outside the scope, e.g. without an embedding, is no candidate).
  -- (The scoped rows carry the content and own cosine along, so no join is needed to get them back.)
  signals as (
    select s.id, s.distance, 1 - coalesce(s.own_distance, s.distance) as similarity, s.content,
           null::integer as vector_rank, null::integer as keyword_rank, null::double precision as keyword_score
    from scoped s
    union all
    select v.id, null, null, null, v.rank, null, null from by_vector v
    union all
    select k.id, null, null, null, null, k.rank, k.score from by_keyword k
  ),
  candidates as materialized (
    select g.id, max(g.distance) as distance, max(g.similarity) as similarity, max(g.content) as content,
           max(g.vector_rank) as vector_rank, max(g.keyword_rank) as keyword_rank, coalesce(max(g.keyword_score), 0) as keyword_score
    from signals g
    group by g.id
    having count(g.distance) > 0 and (count(g.vector_rank) > 0 or max(g.keyword_rank) <= p_candidate_count)
  ),
  parts as (
    select c.*,
           1 - (c.distance - vb.nearest) / greatest(vb.farthest - vb.nearest, 0.25) as vector_part,
           case when kb.best > 0 then c.keyword_score / kb.best else 0 end as keyword_part
    from candidates c cross join vector_bounds vb cross join keyword_bounds kb
  )
  select p.id, p.content, p.similarity, p.keyword_score,
         p.vector_rank, p.keyword_rank, p.vector_part, p.keyword_part,
         (p_vector_weight * p.vector_part + p_keyword_weight * p.keyword_part) / nullif(p_vector_weight + p_keyword_weight, 0) as fused_score
  from parts p
  where p.keyword_rank is not null or p.similarity >= p_min_similarity
  order by fused_score desc, p.id
  limit p_match_count
$$;
