-- Search, context and chat reads update access_count, last_accessed_at and importance of the memories they return.
-- Free space on each page lets Postgres keep the new row version on the same page as a heap-only tuple (HOT) and
-- touch no index (none of those columns is indexed), where a full page made every such update add an entry to every
-- index of memories, HNSW included. Applies to pages written from now on; `VACUUM FULL memories` rewrites the rest.
alter table memories set (fillfactor = 70);
