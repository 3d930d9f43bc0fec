-- Who said it: the `name` of the message a memory came from (multi-party conversations), used as a ranking signal.
alter table memories add column if not exists speaker text;
