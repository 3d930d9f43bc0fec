-- The order memories were stored in, for memories that share a timestamp: a client that stores a session's messages
-- with the session's date (imports, second-resolution clocks) gives them all one created_at, and "the memory said just
-- before" in that session was then picked by the highest random id. A sequence default, added without a table rewrite:
-- rows stored before this migration keep null and sort after the others, then by id as before.
alter table memories add column if not exists stored_seq bigint;
create sequence if not exists memories_stored_seq owned by memories.stored_seq;
alter table memories alter column stored_seq set default nextval('memories_stored_seq');
