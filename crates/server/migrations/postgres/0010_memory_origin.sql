-- 0010: where an imported memory comes from (as SQLite's 0014).
ALTER TABLE memories ADD COLUMN source_id TEXT;
ALTER TABLE memories ADD COLUMN source_url TEXT;
