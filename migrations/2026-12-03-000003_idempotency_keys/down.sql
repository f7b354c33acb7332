DROP TABLE IF EXISTS public.journal_idempotency_keys;
