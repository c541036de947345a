-- Schema 21: the KMS key a target's objects are encrypted with under
-- aws:kms (a key id, alias or ARN); NULL uses the bucket's default key.
ALTER TABLE targets ADD COLUMN sse_kms_key_id TEXT;
