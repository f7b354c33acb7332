-- Entries become editable: when each was last changed, and a version that grows with every
-- change, which the API offers as the entry's ETag.
ALTER TABLE public.journal_entries
    ADD COLUMN updated_at timestamptz,
    ADD COLUMN version bigint NOT NULL DEFAULT 1;

UPDATE public.journal_entries SET updated_at = created_at;

ALTER TABLE public.journal_entries
    ALTER COLUMN updated_at SET NOT NULL,
    ALTER COLUMN updated_at SET DEFAULT now();
