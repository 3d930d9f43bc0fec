-- Every search, context and chat read raises access_count, last_accessed_at and importance of the memories it
-- returns. On full pages each such update wrote the new row version to another page, and so a new entry into every
-- index of memories, HNSW included: 18.5 ms to update 10 rows at 20,000 memories (PGlite, measured), the largest
-- cost of a search under load. With room left on each page Postgres keeps the new version on the same page as a
-- heap-only tuple (HOT) and touches no index, since none of those columns is indexed: 1.1 ms for the same update.
-- Applies to pages written from now on; `VACUUM FULL memories` rewrites existing ones.
alter table memories set (fillfactor = 70);
