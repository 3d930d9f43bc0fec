-- Hybrid retrieval: vector similarity and Postgres full-text relevance, fused by weighted reciprocal rank.
-- Keyword terms are OR-ed (any shared stem counts); ts_rank_cd rewards memories that share more of them.

create or replace function memory_keyword_query(p_text text)
returns tsquery
language sql immutable
as $$
  select case when count(*) = 0 then null
              else to_tsquery('english', string_agg(quote_literal(lexeme), ' | ')) end
  from unnest(tsvector_to_array(to_tsvector('english', coalesce(p_text, '')))) as lexeme
$$;

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
  p_rrf_k integer default 60
)
returns table (
  id uuid,
  content text,
  similarity double precision,
  keyword_score double precision,
  vector_rank integer,
  keyword_rank integer,
  fused_score double precision
)
language sql stable
as $$
  with q as (select memory_keyword_query(p_query_text) as query),
  scoped as (
    select m.id, m.embedding, m.fts
    from memories m
    where m.account_id = p_account_id and m.end_user_id = p_end_user_id
      and m.archived_at is null and m.superseded_by is null and m.embedding is not null
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
