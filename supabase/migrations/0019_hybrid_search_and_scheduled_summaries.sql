-- hybrid_match_memories no longer joins its lists, so its plan no longer depends on the planner's statistics.
-- 0012/0015 left-joined every scoped memory to the vector top-k and to every BM25 match. With stale statistics
-- (the embedded database has no autovacuum; lib/db/statistics.ts analyzes every 30 s) the planner believed the
-- end user had a handful of memories and ran those joins as nested loops: one end user with 20,000 memories took
-- 58 s (20,000 × 20,000 rows), 0.63 s after ANALYZE. Now the three lists (scoped memories with their distance, the
-- vector top-k, the BM25 matches) are stacked with UNION ALL and folded by id with GROUP BY, which is linear-ish
-- (hash or sort) whatever the estimates; the candidates (at most twice p_candidate_count) then read their
-- memory by primary key, one lookup each (LATERAL … LIMIT 1 keeps that a per-row index probe rather than a join
-- the planner may turn into a scan of the whole table). Same signature, candidates, scores, order and results.

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
    select m.id, coalesce(m.context_embedding, m.embedding) <=> p_query_embedding as distance
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
  signals as (
    select s.id, s.distance, null::integer as vector_rank, null::integer as keyword_rank, null::double precision as keyword_score
    from scoped s
    union all
    select v.id, null, v.rank, null, null from by_vector v
    union all
    select k.id, null, null, k.rank, k.score from by_keyword k
  ),
  candidates as materialized (
    select g.id, max(g.distance) as distance, max(g.vector_rank) as vector_rank, max(g.keyword_rank) as keyword_rank,
           coalesce(max(g.keyword_score), 0) as keyword_score
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
  select m.id, m.content, m.similarity, p.keyword_score,
         p.vector_rank, p.keyword_rank, p.vector_part, p.keyword_part,
         (p_vector_weight * p.vector_part + p_keyword_weight * p.keyword_part) / nullif(p_vector_weight + p_keyword_weight, 0) as fused_score
  from parts p
  cross join lateral (
    select r.id, r.content, 1 - (r.embedding <=> p_query_embedding) as similarity
    from memories r where r.id = p.id
    limit 1
  ) m
  where p.keyword_rank is not null or m.similarity >= p_min_similarity
  order by fused_score desc, m.id
  limit p_match_count
$$;

-- accounts.scheduled_llm_summaries: scheduled (operator) maintenance writes an account's summaries with the
-- configured LLM, spending the account's LLM tokens, only when the account opted in (default off); otherwise they
-- are extractive (no model call). Summaries the account asks for itself (/v1/memory/summarize, its own runs) are
-- unaffected.
alter table accounts add column if not exists scheduled_llm_summaries boolean not null default false;
