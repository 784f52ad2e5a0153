"""PL/pgSQL and SQL helper functions (all named ncdb_f_*) that make compiled formulas total.

Plain SQL raises on division by zero, bad casts, invalid regular expressions, out-of-range dates and
numeric overflow; one such error would abort the whole write. Each helper here returns NULL (an empty
cell) instead. The app runs every statement of SUPPORT_SQL at start; each is CREATE OR REPLACE and
idempotent. Helpers that parse or format dates pin TimeZone to UTC, so results never depend on the
session.

No helper is marked PARALLEL SAFE: a PL/pgSQL EXCEPTION block starts a subtransaction, which PostgreSQL
refuses inside a parallel query ("cannot start subtransactions during a parallel operation"), and a
SQL helper calling one would hide it from the planner. Unlabelled functions keep such queries serial.
"""

from __future__ import annotations

# Numbers beyond this magnitude are an overflow error (as with Airtable's doubles), so that no chain of
# operations can reach NUMERIC's own limits.
_LIMIT = "1e308"
_TEXT_LIMIT = "10000000"  # characters; longer text results are an error (empty)


def _plpgsql_num(name: str, args: str, body: str) -> str:
    return f"""CREATE OR REPLACE FUNCTION {name}({args}) RETURNS numeric
LANGUAGE plpgsql IMMUTABLE AS $f$
DECLARE r numeric;
BEGIN
  r := {body};
  IF r IS NULL OR r = 'NaN'::numeric OR abs(r) > {_LIMIT} THEN RETURN NULL; END IF;
  RETURN r;
EXCEPTION WHEN others THEN RETURN NULL;
END $f$"""


_NUMERIC_OPS = [
    ("ncdb_f_mul", "a numeric, b numeric", "a * b"),
    ("ncdb_f_div", "a numeric, b numeric", "a / b"),
    ("ncdb_f_mod", "a numeric, b numeric", "a - b * floor(a / b)"),  # sign of the divisor, as Airtable
    ("ncdb_f_pow", "a numeric, b numeric", "power(a, b)"),
    ("ncdb_f_exp", "a numeric", "exp(a)"),
    ("ncdb_f_ln", "a numeric", "ln(a)"),
    ("ncdb_f_log", "base numeric, a numeric", "log(base, a)"),
    ("ncdb_f_sqrt", "a numeric", "sqrt(a)"),
    ("ncdb_f_add", "a numeric, b numeric", "a + b"),
    ("ncdb_f_sub", "a numeric, b numeric", "a - b"),
    ("ncdb_f_round", "a numeric, places numeric", "round(a, ncdb_f_int(places, 1000))"),
    ("ncdb_f_trunc", "a numeric, places numeric", "trunc(a, ncdb_f_int(places, 1000))"),
    (
        "ncdb_f_roundup",
        "a numeric, places numeric",
        "sign(a) * ceil(abs(a) * power(10::numeric, ncdb_f_int(places, 1000)))"
        " / power(10::numeric, ncdb_f_int(places, 1000))",
    ),
    ("ncdb_f_ceiling", "a numeric, sig numeric", "ceil(a / sig) * sig"),
    ("ncdb_f_floor", "a numeric, sig numeric", "floor(a / sig) * sig"),
    ("ncdb_f_even", "a numeric", "sign(a) * ceil(abs(a) / 2) * 2"),
    (
        "ncdb_f_odd",
        "a numeric",
        "CASE WHEN a >= 0 THEN ceil((a - 1) / 2) * 2 + 1 ELSE -(ceil((-a - 1) / 2) * 2 + 1) END",
    ),
    ("ncdb_f_value", "t text", "ncdb_f_value_raw(t)"),
]

_BASE = [
    # Clamp a NUMERIC to an INTEGER range, so that LEFT(x, 1e20) or ROUND(x, 1e9) cannot overflow a cast.
    """CREATE OR REPLACE FUNCTION ncdb_f_int(n numeric, lim integer DEFAULT 2147483647) RETURNS integer
LANGUAGE sql IMMUTABLE AS $f$
  SELECT CASE WHEN n IS NULL OR n = 'NaN'::numeric THEN NULL
              WHEN n > lim THEN lim WHEN n < -lim THEN -lim ELSE trunc(n)::integer END
$f$""",
    """CREATE OR REPLACE FUNCTION ncdb_f_to_numeric(t text) RETURNS numeric
LANGUAGE plpgsql IMMUTABLE AS $f$
DECLARE r numeric;
BEGIN
  IF t IS NULL OR length(t) > 1000 THEN RETURN NULL; END IF;
  r := trim(t)::numeric;
  IF r = 'NaN'::numeric OR abs(r) > 1e308 THEN RETURN NULL; END IF;
  RETURN r;
EXCEPTION WHEN others THEN RETURN NULL;
END $f$""",
    # VALUE(): like a spreadsheet, ignore currency signs, spaces and thousands separators; "%" divides by 100.
    """CREATE OR REPLACE FUNCTION ncdb_f_value_raw(t text) RETURNS numeric
LANGUAGE sql IMMUTABLE AS $f$
  SELECT CASE WHEN rtrim(t) LIKE '%\\%' ESCAPE '\\'
              THEN ncdb_f_to_numeric(regexp_replace(t, '[\\s,$€£¥%]', '', 'g')) / 100
              ELSE ncdb_f_to_numeric(regexp_replace(t, '[\\s,$€£¥]', '', 'g')) END
$f$""",
    """CREATE OR REPLACE FUNCTION ncdb_f_num_text(n numeric) RETURNS text
LANGUAGE sql IMMUTABLE AS $f$ SELECT trim_scale(n)::text $f$""",
    """CREATE OR REPLACE FUNCTION ncdb_f_date_text(d date) RETURNS text
LANGUAGE sql IMMUTABLE AS $f$ SELECT to_char(d, 'YYYY-MM-DD') $f$""",
    """CREATE OR REPLACE FUNCTION ncdb_f_datetime_text(ts timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE AS $f$
  SELECT to_char(timezone('UTC', ts), 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
$f$""",
    # JSON values: numbers may be JSON numbers or strings ("3.50"); anything else is empty.
    """CREATE OR REPLACE FUNCTION ncdb_f_json_numeric(j jsonb) RETURNS numeric
LANGUAGE sql IMMUTABLE AS $f$
  SELECT CASE jsonb_typeof(j) WHEN 'number' THEN ncdb_f_to_numeric(j::text)
                              WHEN 'string' THEN ncdb_f_to_numeric(j #>> '{}')
                              WHEN 'object' THEN ncdb_f_to_numeric(j ->> 'value') END
$f$""",
    """CREATE OR REPLACE FUNCTION ncdb_f_json_bool(j jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $f$
  SELECT CASE jsonb_typeof(j) WHEN 'boolean' THEN j = 'true'::jsonb
                              WHEN 'number' THEN ncdb_f_to_numeric(j::text) <> 0
                              WHEN 'string' THEN lower(j #>> '{}') IN ('true', '1', 'yes', 'y', 'on') END
$f$""",
    """CREATE OR REPLACE FUNCTION ncdb_f_elem_text(j jsonb) RETURNS text
LANGUAGE sql IMMUTABLE AS $f$
  SELECT CASE jsonb_typeof(j) WHEN 'string' THEN j #>> '{}'
                              WHEN 'number' THEN ncdb_f_num_text(ncdb_f_to_numeric(j::text))
                              WHEN 'boolean' THEN j::text
                              WHEN 'object' THEN
                                coalesce(j ->> 'value', j ->> 'visible_name', j ->> 'name', j::text)
                              WHEN 'array' THEN j::text END
$f$""",
    """CREATE OR REPLACE FUNCTION ncdb_f_arr(a jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $f$
  SELECT CASE WHEN jsonb_typeof(a) = 'array' THEN a ELSE '[]'::jsonb END
$f$""",
]

_TEXT = [
    f"""CREATE OR REPLACE FUNCTION ncdb_f_concat(a text, b text) RETURNS text
LANGUAGE sql IMMUTABLE AS $f$
  SELECT CASE WHEN coalesce(length(a), 0) + coalesce(length(b), 0) > {_TEXT_LIMIT} THEN NULL
              ELSE coalesce(a, '') || coalesce(b, '') END
$f$""",
    f"""CREATE OR REPLACE FUNCTION ncdb_f_rept(t text, n numeric) RETURNS text
LANGUAGE sql IMMUTABLE AS $f$
  SELECT CASE WHEN n < 0 OR length(t)::numeric * trunc(n) > {_TEXT_LIMIT} THEN NULL
              ELSE repeat(t, ncdb_f_int(n)) END
$f$""",
    """CREATE OR REPLACE FUNCTION ncdb_f_left(t text, n numeric) RETURNS text
LANGUAGE sql IMMUTABLE AS $f$ SELECT CASE WHEN n >= 0 THEN left(t, ncdb_f_int(n)) END $f$""",
    """CREATE OR REPLACE FUNCTION ncdb_f_right(t text, n numeric) RETURNS text
LANGUAGE sql IMMUTABLE AS $f$ SELECT CASE WHEN n >= 0 THEN right(t, ncdb_f_int(n)) END $f$""",
    """CREATE OR REPLACE FUNCTION ncdb_f_mid(t text, start numeric, cnt numeric) RETURNS text
LANGUAGE sql IMMUTABLE AS $f$
  SELECT CASE WHEN start >= 1 AND cnt >= 0 THEN substr(t, ncdb_f_int(start), ncdb_f_int(cnt)) END
$f$""",
    # Position of needle in haystack from a 1-based start; 0 when absent.
    """CREATE OR REPLACE FUNCTION ncdb_f_find(needle text, hay text, start numeric) RETURNS numeric
LANGUAGE sql IMMUTABLE AS $f$
  SELECT CASE WHEN needle IS NULL OR hay IS NULL THEN NULL
              WHEN coalesce(start, 1) < 1 THEN NULL
              WHEN strpos(substr(hay, ncdb_f_int(coalesce(start, 1))), needle) = 0 THEN 0
              ELSE strpos(substr(hay, ncdb_f_int(coalesce(start, 1))), needle)
                   + ncdb_f_int(coalesce(start, 1)) - 1
         END
$f$""",
    f"""CREATE OR REPLACE FUNCTION ncdb_f_substitute(t text, old text, new text, idx numeric) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $f$
DECLARE pos integer; r text; n integer; i integer := 0; start integer := 1;
BEGIN
  IF t IS NULL THEN RETURN NULL; END IF;
  IF old IS NULL OR old = '' THEN RETURN t; END IF;
  new := coalesce(new, '');
  IF idx IS NULL THEN
    IF length(t)::numeric / length(old) * length(new) > {_TEXT_LIMIT} THEN RETURN NULL; END IF;
    RETURN replace(t, old, new);
  END IF;
  IF idx < 1 THEN RETURN NULL; END IF;
  n := ncdb_f_int(idx);
  LOOP
    pos := strpos(substr(t, start), old);
    IF pos = 0 THEN RETURN t; END IF;
    i := i + 1;
    IF i = n THEN
      r := substr(t, 1, start + pos - 2) || new || substr(t, start + pos - 1 + length(old));
      RETURN r;
    END IF;
    start := start + pos - 1 + length(old);
  END LOOP;
EXCEPTION WHEN others THEN RETURN NULL;
END $f$""",
    """CREATE OR REPLACE FUNCTION ncdb_f_replace(t text, start numeric, cnt numeric, new text) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $f$
BEGIN
  IF start < 1 OR cnt < 0 THEN RETURN NULL; END IF;
  RETURN overlay(t PLACING coalesce(new, '')
                 FROM ncdb_f_int(start, 100000000) FOR ncdb_f_int(cnt, 100000000));
EXCEPTION WHEN others THEN RETURN NULL;
END $f$""",
    """CREATE OR REPLACE FUNCTION ncdb_f_trim(t text) RETURNS text
LANGUAGE sql IMMUTABLE AS $f$ SELECT regexp_replace(t, '^\\s+|\\s+$', '', 'g') $f$""",
    """CREATE OR REPLACE FUNCTION ncdb_f_split_part(t text, delim text, n numeric) RETURNS text
LANGUAGE sql IMMUTABLE AS $f$
  SELECT CASE WHEN n >= 1 THEN nullif(split_part(t, delim, ncdb_f_int(n)), '') END
$f$""",
    # encodeURIComponent (keep = '') or encodeURI (keep = the reserved characters it leaves alone).
    """CREATE OR REPLACE FUNCTION ncdb_f_encode_uri(t text, keep text) RETURNS text
LANGUAGE sql IMMUTABLE AS $f$
  SELECT coalesce(string_agg(
           CASE WHEN c ~ '^[A-Za-z0-9_.!~*''()-]$' OR strpos(keep, c) > 0 THEN c
                ELSE upper(regexp_replace(encode(convert_to(c, 'UTF8'), 'hex'), '(..)', '%\\1', 'g')) END,
           '' ORDER BY i), '')
  FROM regexp_split_to_table(t, '') WITH ORDINALITY AS s(c, i)
  WHERE t IS NOT NULL
  HAVING t IS NOT NULL
$f$""",
    """CREATE OR REPLACE FUNCTION ncdb_f_regex_match(t text, pattern text) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE AS $f$
BEGIN
  RETURN t ~ pattern;
EXCEPTION WHEN others THEN RETURN NULL;
END $f$""",
    """CREATE OR REPLACE FUNCTION ncdb_f_regex_extract(t text, pattern text) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $f$
BEGIN
  RETURN regexp_substr(t, pattern);
EXCEPTION WHEN others THEN RETURN NULL;
END $f$""",
    # Replacement text uses $1 (Airtable, JavaScript) for groups; PostgreSQL wants \\1.
    f"""CREATE OR REPLACE FUNCTION ncdb_f_regex_replace(t text, pattern text, repl text) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $f$
DECLARE r text;
BEGIN
  repl := regexp_replace(replace(coalesce(repl, ''), '\\', '\\\\'), '\\$([0-9])', '\\\\\\1', 'g');
  r := regexp_replace(t, pattern, repl, 'g');
  IF length(r) > {_TEXT_LIMIT} THEN RETURN NULL; END IF;
  RETURN r;
EXCEPTION WHEN others THEN RETURN NULL;
END $f$""",
]

_DATE = [
    """CREATE OR REPLACE FUNCTION ncdb_f_to_timestamptz(t text) RETURNS timestamptz
LANGUAGE plpgsql STABLE SET TimeZone = 'UTC' SET DateStyle = 'ISO, MDY' AS $f$
DECLARE r timestamptz;
BEGIN
  IF t IS NULL OR length(t) > 100 OR lower(trim(t)) IN ('now', 'today', 'tomorrow', 'yesterday') THEN
    RETURN NULL;
  END IF;
  r := trim(t)::timestamptz;
  IF NOT isfinite(r) THEN RETURN NULL; END IF;
  RETURN r;
EXCEPTION WHEN others THEN RETURN NULL;
END $f$""",
    """CREATE OR REPLACE FUNCTION ncdb_f_to_date(t text) RETURNS date
LANGUAGE sql STABLE AS $f$ SELECT timezone('UTC', ncdb_f_to_timestamptz(t))::date $f$""",
    """CREATE OR REPLACE FUNCTION ncdb_f_parse_datetime(t text, fmt text) RETURNS timestamptz
LANGUAGE plpgsql STABLE SET TimeZone = 'UTC' AS $f$
DECLARE r timestamptz;
BEGIN
  IF fmt IS NULL THEN RETURN ncdb_f_to_timestamptz(t); END IF;
  r := to_timestamp(t, fmt);
  IF NOT isfinite(r) THEN RETURN NULL; END IF;
  RETURN r;
EXCEPTION WHEN others THEN RETURN NULL;
END $f$""",
    """CREATE OR REPLACE FUNCTION ncdb_f_format(ts timestamptz, fmt text) RETURNS text
LANGUAGE plpgsql STABLE SET TimeZone = 'UTC' AS $f$
BEGIN
  RETURN to_char(timezone('UTC', ts), fmt);
EXCEPTION WHEN others THEN RETURN NULL;
END $f$""",
    # The wall-clock time in a zone, as a UTC instant (see SET_TIMEZONE in docs/formulas.md).
    """CREATE OR REPLACE FUNCTION ncdb_f_set_timezone(ts timestamptz, tz text) RETURNS timestamptz
LANGUAGE plpgsql STABLE SET TimeZone = 'UTC' AS $f$
BEGIN
  RETURN timezone('UTC', timezone(tz, ts));
EXCEPTION WHEN others THEN RETURN NULL;
END $f$""",
    # unit is already canonical (the compiler maps it through the allowlist).
    """CREATE OR REPLACE FUNCTION ncdb_f_dateadd(ts timestamptz, n numeric, unit text) RETURNS timestamptz
LANGUAGE plpgsql STABLE SET TimeZone = 'UTC' AS $f$
DECLARE r timestamptz;
BEGIN
  IF abs(n) > 1e9 THEN RETURN NULL; END IF;
  r := ts + CASE unit
    WHEN 'milliseconds' THEN make_interval(secs => n / 1000)
    WHEN 'seconds' THEN make_interval(secs => n)
    WHEN 'minutes' THEN make_interval(secs => n * 60)
    WHEN 'hours' THEN make_interval(secs => n * 3600)
    WHEN 'days' THEN make_interval(days => ncdb_f_int(n)) + make_interval(secs => (n - trunc(n)) * 86400)
    WHEN 'weeks' THEN make_interval(days => ncdb_f_int(n * 7))
    WHEN 'months' THEN make_interval(months => ncdb_f_int(n))
    WHEN 'quarters' THEN make_interval(months => ncdb_f_int(n * 3))
    WHEN 'years' THEN make_interval(years => ncdb_f_int(n))
  END;
  IF NOT isfinite(r) THEN RETURN NULL; END IF;
  RETURN r;
EXCEPTION WHEN others THEN RETURN NULL;
END $f$""",
    # a - b in whole units, truncated toward zero.
    """CREATE OR REPLACE FUNCTION ncdb_f_datetime_diff(a timestamptz, b timestamptz, unit text)
RETURNS numeric
LANGUAGE plpgsql STABLE SET TimeZone = 'UTC' AS $f$
DECLARE secs numeric; months numeric; g interval;
BEGIN
  secs := extract(epoch FROM a) - extract(epoch FROM b);
  IF unit IN ('months', 'quarters', 'years') THEN
    g := age(a, b);
    months := extract(year FROM g) * 12 + extract(month FROM g);
    RETURN CASE unit WHEN 'months' THEN months WHEN 'quarters' THEN trunc(months / 3)
                     ELSE trunc(months / 12) END;
  END IF;
  RETURN CASE unit
    WHEN 'milliseconds' THEN trunc(secs * 1000)
    WHEN 'seconds' THEN trunc(secs)
    WHEN 'minutes' THEN trunc(secs / 60)
    WHEN 'hours' THEN trunc(secs / 3600)
    WHEN 'days' THEN trunc(secs / 86400)
    WHEN 'weeks' THEN trunc(secs / 604800)
  END;
EXCEPTION WHEN others THEN RETURN NULL;
END $f$""",
    # Holidays are a text of dates separated by commas (Airtable's form); bad dates are ignored.
    """CREATE OR REPLACE FUNCTION ncdb_f_holidays(h text) RETURNS date[]
LANGUAGE sql STABLE AS $f$
  SELECT coalesce(array_agg(ncdb_f_to_date(x)) FILTER (WHERE ncdb_f_to_date(x) IS NOT NULL), '{}')
  FROM unnest(string_to_array(coalesce(h, ''), ',')) AS x
$f$""",
    """CREATE OR REPLACE FUNCTION ncdb_f_workday(d date, n numeric, holidays text) RETURNS date
LANGUAGE plpgsql STABLE AS $f$
DECLARE hs date[] := ncdb_f_holidays(holidays); left_ integer; step integer;
BEGIN
  IF d IS NULL OR n IS NULL OR abs(n) > 100000 THEN RETURN NULL; END IF;
  left_ := abs(trunc(n))::integer;
  step := CASE WHEN n < 0 THEN -1 ELSE 1 END;
  WHILE left_ > 0 LOOP
    d := d + step;
    IF extract(isodow FROM d) < 6 AND NOT d = ANY (hs) THEN left_ := left_ - 1; END IF;
  END LOOP;
  RETURN d;
EXCEPTION WHEN others THEN RETURN NULL;
END $f$""",
    """CREATE OR REPLACE FUNCTION ncdb_f_workday_diff(a date, b date, holidays text) RETURNS numeric
LANGUAGE plpgsql STABLE AS $f$
DECLARE hs date[] := ncdb_f_holidays(holidays); lo date; hi date; cnt numeric;
BEGIN
  IF a IS NULL OR b IS NULL OR abs(b - a) > 1000000 THEN RETURN NULL; END IF;
  lo := least(a, b); hi := greatest(a, b);
  SELECT count(*) INTO cnt FROM generate_series(lo, hi, interval '1 day') AS g(x)
   WHERE extract(isodow FROM x) < 6 AND NOT x::date = ANY (hs);
  RETURN CASE WHEN b < a THEN -cnt ELSE cnt END;
EXCEPTION WHEN others THEN RETURN NULL;
END $f$""",
]

_ARRAY = [
    """CREATE OR REPLACE FUNCTION ncdb_f_array_join(a jsonb, sep text) RETURNS text
LANGUAGE sql IMMUTABLE AS $f$
  SELECT CASE WHEN a IS NOT NULL THEN
    (SELECT coalesce(string_agg(ncdb_f_elem_text(e), coalesce(sep, '') ORDER BY i), '')
       FROM jsonb_array_elements(ncdb_f_arr(a)) WITH ORDINALITY AS x(e, i)
      WHERE ncdb_f_elem_text(e) IS NOT NULL) END
$f$""",
    """CREATE OR REPLACE FUNCTION ncdb_f_array_unique(a jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $f$
  SELECT CASE WHEN a IS NOT NULL THEN
    (SELECT coalesce(jsonb_agg(e ORDER BY i), '[]'::jsonb) FROM (
       SELECT e, min(i) AS i FROM jsonb_array_elements(ncdb_f_arr(a)) WITH ORDINALITY AS x(e, i) GROUP BY e
     ) u) END
$f$""",
    """CREATE OR REPLACE FUNCTION ncdb_f_array_compact(a jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $f$
  SELECT CASE WHEN a IS NOT NULL THEN
    (SELECT coalesce(jsonb_agg(e ORDER BY i), '[]'::jsonb)
       FROM jsonb_array_elements(ncdb_f_arr(a)) WITH ORDINALITY AS x(e, i)
      WHERE e <> 'null'::jsonb AND e <> '""'::jsonb) END
$f$""",
    """CREATE OR REPLACE FUNCTION ncdb_f_array_flatten(a jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $f$
DECLARE r jsonb := '[]'::jsonb; e jsonb;
BEGIN
  IF a IS NULL THEN RETURN NULL; END IF;
  FOR e IN SELECT x FROM jsonb_array_elements(ncdb_f_arr(a)) AS t(x) LOOP
    IF jsonb_typeof(e) = 'array' THEN r := r || ncdb_f_array_flatten(e);
    ELSE r := r || jsonb_build_array(e); END IF;
  END LOOP;
  RETURN r;
EXCEPTION WHEN others THEN RETURN NULL;
END $f$""",
    # 1-based, inclusive, negative positions count from the end (Airtable's ARRAYSLICE).
    """CREATE OR REPLACE FUNCTION ncdb_f_array_slice(a jsonb, s numeric, e numeric) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $f$
  WITH n AS (SELECT jsonb_array_length(ncdb_f_arr(a)) AS len),
       b AS (SELECT CASE WHEN s < 0 THEN len + ncdb_f_int(s) + 1 ELSE ncdb_f_int(s) END AS lo,
                    CASE WHEN e IS NULL THEN len WHEN e < 0 THEN len + ncdb_f_int(e) + 1
                         ELSE ncdb_f_int(e) END AS hi
               FROM n)
  SELECT CASE WHEN a IS NOT NULL AND s IS NOT NULL THEN
    (SELECT coalesce(jsonb_agg(x ORDER BY i), '[]'::jsonb)
       FROM jsonb_array_elements(ncdb_f_arr(a)) WITH ORDINALITY AS t(x, i), b
      WHERE i BETWEEN b.lo AND b.hi) END
$f$""",
    # 0-based: index(field('lookup'), 0) is the first item (Baserow).
    """CREATE OR REPLACE FUNCTION ncdb_f_array_index(a jsonb, n numeric) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $f$
  SELECT CASE WHEN n >= 0 THEN ncdb_f_arr(a) -> ncdb_f_int(n) END
$f$""",
    """CREATE OR REPLACE FUNCTION ncdb_f_array_has(a jsonb, t text) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $f$
  SELECT coalesce(bool_or(ncdb_f_elem_text(e) = t), false) FROM jsonb_array_elements(ncdb_f_arr(a)) AS x(e)
$f$""",
    """CREATE OR REPLACE FUNCTION ncdb_f_array_attr(a jsonb, key text) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $f$
  SELECT CASE WHEN a IS NOT NULL THEN
    (SELECT coalesce(jsonb_agg(e -> key ORDER BY i), '[]'::jsonb)
       FROM jsonb_array_elements(ncdb_f_arr(a)) WITH ORDINALITY AS x(e, i)
      WHERE jsonb_typeof(e) = 'object') END
$f$""",
    """CREATE OR REPLACE FUNCTION ncdb_f_array_bool(a jsonb, want_all boolean) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $f$
  SELECT CASE WHEN want_all THEN coalesce(bool_and(coalesce(ncdb_f_json_bool(e), false)), true)
              ELSE coalesce(bool_or(coalesce(ncdb_f_json_bool(e), false)), false) END
    FROM jsonb_array_elements(ncdb_f_arr(a)) AS x(e)
$f$""",
    # One aggregate over the numbers of an array; kind is our constant, never user text.
    """CREATE OR REPLACE FUNCTION ncdb_f_array_agg_num(a jsonb, kind text) RETURNS numeric
LANGUAGE plpgsql IMMUTABLE AS $f$
DECLARE r numeric;
BEGIN
  SELECT CASE kind
    WHEN 'sum' THEN coalesce(sum(v), 0)
    WHEN 'avg' THEN avg(v)
    WHEN 'max' THEN max(v)
    WHEN 'min' THEN min(v)
    WHEN 'count' THEN count(v)
    WHEN 'counta' THEN count(*) FILTER (WHERE e <> 'null'::jsonb AND e <> '""'::jsonb)
    WHEN 'countall' THEN count(*)
    WHEN 'stddev_pop' THEN stddev_pop(v)
    WHEN 'stddev_sample' THEN stddev_samp(v)
    WHEN 'variance_pop' THEN var_pop(v)
    WHEN 'variance_sample' THEN var_samp(v)
  END INTO r
  FROM (SELECT e, ncdb_f_json_numeric(e) AS v FROM jsonb_array_elements(ncdb_f_arr(a)) AS x(e)) t;
  IF abs(r) > 1e308 THEN RETURN NULL; END IF;
  RETURN r;
EXCEPTION WHEN others THEN RETURN NULL;
END $f$""",
]

SUPPORT_SQL: list[str] = [
    *_BASE,
    *_TEXT,
    *(_plpgsql_num(name, args, body) for name, args, body in _NUMERIC_OPS),
    *_DATE,
    *_ARRAY,
]

SUPPORT_SQL += [
    """CREATE OR REPLACE FUNCTION ncdb_f_arr_or_null(a jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $f$ SELECT CASE WHEN jsonb_typeof(a) = 'array' THEN a END $f$""",
    """CREATE OR REPLACE FUNCTION ncdb_f_obj_or_null(a jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $f$ SELECT CASE WHEN jsonb_typeof(a) = 'object' THEN a END $f$""",
]
