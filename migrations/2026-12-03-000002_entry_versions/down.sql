ALTER TABLE public.journal_entries DROP COLUMN version, DROP COLUMN updated_at;
