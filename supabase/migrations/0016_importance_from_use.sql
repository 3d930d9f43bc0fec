-- Importance follows explicit use (a GET of the memory by id, a chat reply that used it), not appearing in search
-- results, which is popularity: use_count and last_used_at count only explicit uses, while access_count and
-- last_accessed_at still count every read (stats, pruning by activity). Existing importance is recomputed from
-- use_count by the next importance-recalculation run.
alter table memories add column if not exists use_count integer not null default 0;
alter table memories add column if not exists last_used_at timestamptz;
