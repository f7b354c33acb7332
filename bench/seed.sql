-- Seeds the benchmark: :entries entries of about 200 characters for every bench user, spread
-- over past days, and bench_users(n, id) numbering the users for pgbench.
TRUNCATE journal_entries;

INSERT INTO journal_entries (user_id, content, created_at, updated_at)
SELECT u.id,
       left(format('Entry %s of %s. ', day, u.email) || repeat(
           'Slept well, wrote in the morning, fixed the bike chain, called home in the evening. ',
           3), 200),
       now() - make_interval(days => day, secs => (abs(hashtext(u.email)) % 86400)),
       now()
FROM neon_auth."user" u
CROSS JOIN generate_series(1, :entries) AS day
WHERE u.email LIKE 'bench-%@bench.test';

DROP TABLE IF EXISTS bench_users;
CREATE TABLE bench_users AS
SELECT row_number() OVER (ORDER BY email)::int AS n, id
FROM neon_auth."user" WHERE email LIKE 'bench-%@bench.test';
ALTER TABLE bench_users ADD PRIMARY KEY (n);

ANALYZE journal_entries;
ANALYZE bench_users;
