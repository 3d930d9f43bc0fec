-- memory_keyword_query has had no caller since 0011 (bm25_match_memories builds its own query). The defaults of
-- hybrid_match_memories serve only supabase.rpc callers (the app passes every ranking constant by name); its
-- p_candidate_count default now equals RANKING.candidateCount in lib/memory/search/ranking.ts. Body as in 0012.
drop function if exists memory_keyword_query(text);

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
  by_vector as (
    select s.id, row_number() over (order by s.distance, s.id)::int as rank
    from scoped s
    order by s.distance, s.id
    limit p_candidate_count
  ),
  -- Every BM25 match (not only the top ones), so a candidate from the vector list gets its true keyword part.
  by_keyword as (
    select b.id, b.score, b.rank
    from bm25_match_memories(p_account_id, p_end_user_id, p_query_text, 2147483647, p_agent_id, p_categories, p_metadata, p_k1, p_b, p_context_weight) b
  ),
  keyword_bounds as materialized (select max(k.score) as best from by_keyword k),
  candidates as (
    select s.id, s.distance, v.rank as vector_rank, k.rank as keyword_rank, coalesce(k.score, 0) as keyword_score
    from scoped s
    left join by_vector v on v.id = s.id
    left join by_keyword k on k.id = s.id
    where v.id is not null or k.rank <= p_candidate_count
  ),
  parts as (
    select c.*,
           1 - (c.distance - vb.nearest) / greatest(vb.farthest - vb.nearest, 0.25) as vector_part,
           case when kb.best > 0 then c.keyword_score / kb.best else 0 end as keyword_part
    from candidates c cross join vector_bounds vb cross join keyword_bounds kb
  )
  select m.id, m.content, 1 - (m.embedding <=> p_query_embedding) as similarity, p.keyword_score,
         p.vector_rank, p.keyword_rank, p.vector_part, p.keyword_part,
         (p_vector_weight * p.vector_part + p_keyword_weight * p.keyword_part) / nullif(p_vector_weight + p_keyword_weight, 0) as fused_score
  from parts p join memories m on m.id = p.id
  where p.keyword_rank is not null or 1 - (m.embedding <=> p_query_embedding) >= p_min_similarity
  order by fused_score desc, m.id
  limit p_match_count
$$;
