-- Account-wide vector search (all of an account's end users at once) uses HNSW; search inside one end user stays
-- an exact scan over that end user's rows (the (account_id, end_user_id) index), so it never misses a memory.
-- The embedding column holds whichever model is configured, so HNSW (which needs a fixed dimension) is a partial
-- expression index per common dimension: USE-lite 512, Gemini text-embedding-004 768, OpenAI 3-small 1536.
-- Queries opt in by ordering on the same expression with pgvector's iterative scans on, so filters never starve
-- the result list (pgvector >= 0.8).
create index if not exists memories_embedding_hnsw_512 on memories
  using hnsw ((embedding::vector(512)) vector_cosine_ops) where vector_dims(embedding) = 512;
create index if not exists memories_embedding_hnsw_768 on memories
  using hnsw ((embedding::vector(768)) vector_cosine_ops) where vector_dims(embedding) = 768;
create index if not exists memories_embedding_hnsw_1536 on memories
  using hnsw ((embedding::vector(1536)) vector_cosine_ops) where vector_dims(embedding) = 1536;
