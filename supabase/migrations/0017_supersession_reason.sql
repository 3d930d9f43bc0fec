-- Why a memory stopped being current (the slot a newer statement set, or the extraction model's update decision),
-- shown in its history next to superseded_by. Meaningful only while superseded_by is set.
alter table memories add column if not exists superseded_reason text;
