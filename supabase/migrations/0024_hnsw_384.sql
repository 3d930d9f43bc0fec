-- Account-wide HNSW for 384-dimensional embeddings, in the style of 0010: the optional onnx provider's default model
-- (BGE small v1.5) and MiniLM give 384-d vectors, so their account-wide search gets an index like the other common sizes.
create index if not exists memories_embedding_hnsw_384 on memories
  using hnsw ((embedding::vector(384)) vector_cosine_ops) where vector_dims(embedding) = 384;
