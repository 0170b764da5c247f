-- 0009: what a recording client says of a transcript (as SQLite's 0013).
ALTER TABLE conversations ADD COLUMN client_session_id TEXT;
ALTER TABLE conversations ADD COLUMN client_device_id TEXT;
ALTER TABLE conversations ADD COLUMN client_platform TEXT;
