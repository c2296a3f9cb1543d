-- A C++ exception inside a SQL-callable function becomes an ordinary SQL error with a SQLSTATE,
-- and the backend keeps working afterwards. The test hook is not part of the extension (no
-- production install has it): the test declares it from the library's C symbol.
CREATE FUNCTION pg_temp.selftest_raise(kind text) RETURNS text
LANGUAGE C STRICT AS '$libdir/rolloy', 'rolloy_selftest_raise';
CREATE FUNCTION pg_temp.outcome(query text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE query;
    RETURN 'no error';
EXCEPTION WHEN others THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END
$$;

SELECT pg_temp.selftest_raise('none');
SELECT pg_temp.outcome($$SELECT pg_temp.selftest_raise('rolloy_error')$$);
SELECT pg_temp.outcome($$SELECT pg_temp.selftest_raise('std_exception')$$);
SELECT pg_temp.outcome($$SELECT pg_temp.selftest_raise('bad_alloc')$$);
SELECT pg_temp.outcome($$SELECT pg_temp.selftest_raise('unknown')$$);
-- A Postgres error raised inside C++ (SPI) keeps its own SQLSTATE on the way out.
SELECT pg_temp.outcome($$SELECT pg_temp.selftest_raise('postgres_error')$$);
SELECT pg_temp.outcome($$SELECT pg_temp.selftest_raise('no such kind')$$);

-- Detail and hint survive the boundary.
\set VERBOSITY default
SELECT pg_temp.selftest_raise('rolloy_error');

-- Many errors in a row: no leak of state, the session goes on.
SELECT count(*) FROM generate_series(1, 200) i
 WHERE pg_temp.outcome($$SELECT pg_temp.selftest_raise('std_exception')$$) LIKE 'XX000%';
SELECT 'backend still works' AS status, 1 + 1 AS two;

-- Inside a transaction: the failed statement aborts it as usual, rollback recovers.
BEGIN;
SELECT pg_temp.selftest_raise('postgres_error');
SELECT 1;
ROLLBACK;
SELECT pg_temp.selftest_raise('none');
