-- 0013: what a recording client says of a transcript (`from-segments`): its session id (the
-- conversation's id is derived from it), device and platform.
ALTER TABLE conversations ADD COLUMN client_session_id TEXT;
ALTER TABLE conversations ADD COLUMN client_device_id TEXT;
ALTER TABLE conversations ADD COLUMN client_platform TEXT;
