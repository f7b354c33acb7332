-- Idempotency keys of entry creations: a client that retries a POST with the same key within
-- 24 hours gets the first answer instead of a second entry. Only a hash of the content is kept.
CREATE TABLE public.journal_idempotency_keys (
    user_id uuid NOT NULL REFERENCES neon_auth."user" (id) ON DELETE CASCADE,
    key text NOT NULL,
    content_sha256 text NOT NULL,
    entry_id bigint,
    entry_created_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, key)
);
