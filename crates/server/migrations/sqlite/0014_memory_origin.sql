-- 0014: where an imported memory comes from, as the importing app said (`source_id`,
-- `source_url` of POST /v2/integrations/{app_id}/user/memories).
ALTER TABLE memories ADD COLUMN source_id TEXT;
ALTER TABLE memories ADD COLUMN source_url TEXT;
