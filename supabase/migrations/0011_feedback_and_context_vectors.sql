-- Retrieval, second round (measured on LoCoMo with `npm run eval:tune`, confirmed over HTTP with `npm run eval`):
-- 1. Context vectors. A conversation turn is ranked by its own embedding blended with the turn before it
--    (context_embedding = normalise(own + 0.5 · previous)), so an answer is found by the words of its question.
--    `embedding` stays the memory's own vector: reported similarity and similarity_threshold keep their meaning.
-- 2. Pseudo-relevance feedback for BM25. The strongest terms of the first pass's top memories (tf/length · idf
--    inside the end user's memories) are added to the keyword query with a small weight, bridging paraphrase.

alter table memories add column if not exists context_embedding vector;

-- Terms of the given memories (their own text, not their context) that the query does not already have, best first.
create or replace function bm25_feedback_terms(
  p_account_id uuid,
  p_end_user_id text,
  p_ids uuid[],
  p_query_text text,
  p_count integer default 20
)
returns text[]
language sql stable
as $$
  with docs as (
    -- A tsvector holds each lexeme once; its weights say where it occurs ('A' the memory's text, 'D' its context).
    select m.id, u.lexeme, coalesce(cardinality(array_positions(u.weights, 'A')), 0)::float8 as tf
    from memories m
    cross join lateral unnest(m.fts) as u(lexeme, positions, weights)
    where m.account_id = p_account_id and m.end_user_id = p_end_user_id and m.id = any(p_ids)
  ),
  lengths as (select d.id, sum(d.tf) as len from docs d group by d.id),
  candidates as materialized (
    select d.lexeme, sum(d.tf / l.len) as weight
    from docs d join lengths l on l.id = d.id
    where d.tf > 0 and d.lexeme <> all(tsvector_to_array(to_tsvector('english', coalesce(p_query_text, ''))))
    group by d.lexeme
  ),
  scoped as (
    select m.fts from memories m
    where m.account_id = p_account_id and m.end_user_id = p_end_user_id
      and m.archived_at is null and m.superseded_by is null
  ),
  total as materialized (select count(*)::float8 as n from scoped),
  df as (
    select u.lexeme, count(*)::float8 as df
    from scoped s cross join lateral unnest(s.fts) as u(lexeme, positions, weights)
    join candidates c on c.lexeme = u.lexeme
    group by u.lexeme
  )
  select coalesce(array_agg(ranked.lexeme order by ranked.weight desc, ranked.lexeme), '{}')
  from (
    select c.lexeme, c.weight * ln(t.n / df.df) as weight
    from candidates c join df on df.lexeme = c.lexeme cross join total t
    order by weight desc, c.lexeme
    limit p_count
  ) ranked
$$;

drop function if exists bm25_match_memories(uuid, text, text, integer, text, text[], jsonb, double precision, double precision, double precision);

-- BM25 as in 0004, plus optional expansion lexemes (already stemmed) that count with p_expansion_weight.
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
  p_context_weight double precision default 0.3,
  p_expansion text[] default null,
  p_expansion_weight double precision default 0.2
)
returns table (id uuid, score double precision, rank integer)
language sql stable
as $$
  with query_terms as (
    select distinct lexeme from unnest(tsvector_to_array(to_tsvector('english', coalesce(p_query_text, '')))) as lexeme
  ),
  terms as (
    select t.lexeme, 1.0::float8 as weight from query_terms t
    union all
    select e.lexeme, p_expansion_weight
    from (select distinct x as lexeme from unnest(coalesce(p_expansion, '{}'::text[])) as x) e
    where e.lexeme not in (select t.lexeme from query_terms t) and length(e.lexeme) > 0
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
           sum(t.weight * ln(1 + (st.n - df.df + 0.5) / (df.df + 0.5)) * tf.tf * (p_k1 + 1)
               / (tf.tf + p_k1 * (1 - p_b + p_b * tf.dl / st.avgdl))) as score
    from tf join df on df.lexeme = tf.lexeme join terms t on t.lexeme = tf.lexeme cross join stats st
    group by tf.id
  )
  select s.id, s.score, row_number() over (order by s.score desc, s.id)::int as rank
  from scored s
  order by s.score desc, s.id
  limit p_match_count
$$;

drop function if exists hybrid_match_memories(uuid, text, text, vector, integer, integer, double precision, double precision, double precision, integer, text, text[], jsonb);

-- Hybrid retrieval as in 0004; the vector list ranks by the context vector where a memory has one, and
-- p_feedback_ids (the first pass's top memories) turns on pseudo-relevance feedback for the keyword list.
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
  p_feedback_ids uuid[] default null,
  p_feedback_terms integer default 20,
  p_feedback_weight double precision default 0.2
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
  expansion as (
    select case when coalesce(cardinality(p_feedback_ids), 0) = 0 then null
                else bm25_feedback_terms(p_account_id, p_end_user_id, p_feedback_ids, p_query_text, p_feedback_terms) end as terms
  ),
  by_keyword as (
    select b.id, b.score, b.rank
    from expansion e
    cross join lateral bm25_match_memories(p_account_id, p_end_user_id, p_query_text, p_candidate_count, p_agent_id, p_categories, p_metadata,
                                           p_expansion => e.terms, p_expansion_weight => p_feedback_weight) b
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
