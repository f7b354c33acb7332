-- neon_auth."user" is left alone: on Neon it belongs to Neon Auth.
DROP TABLE IF EXISTS public.journal_entries;
