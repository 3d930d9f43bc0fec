-- bm25_match_memories cuts a matching memory's tsvector down to the query's terms (two ts_delete calls, in C) before
-- unnesting it, instead of unnesting every lexeme with its positions and weights and filtering afterwards, which
-- costs most for end users with many memories. Same signature, formula and results.

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
