"""SQL helpers the field types call: PL/pgSQL, because only an EXCEPTION block turns a failing cast or
make_date (2024-02-30) into NULL instead of an error that aborts the whole type change.

The application runs every statement of SUPPORT_SQL at start (each is CREATE OR REPLACE, so idempotent).
The regular expressions mirror fields.dates and fields.duration, so Python and SQL parse alike.
"""

from __future__ import annotations

from fields.dates import ISO_PATTERN, LOCAL_PATTERN
from fields.duration import CLOCK_PATTERN, DAYS_CLOCK_PATTERN, SECONDS_PATTERN, UNITS_PATTERN


def _quote(pattern: str) -> str:
    # Patterns go into a dollar-quoted body, so only single quotes need care (they have none today).
    return "'" + pattern.replace("'", "''") + "'"


PARSE_DATE = f"""
CREATE OR REPLACE FUNCTION ncdb_field_parse_date(t text, day_first boolean, with_time boolean, tz text)
RETURNS jsonb LANGUAGE plpgsql STABLE PARALLEL SAFE AS $fn$
DECLARE
  m text[];
  y int; mo int; d int; h int := 0; mi int := 0; s int := 0;
  ap text; off text; sign int; ts timestamp;
BEGIN
  IF t IS NULL THEN RETURN NULL; END IF;
  t := btrim(t);
  m := regexp_match(t, {_quote(ISO_PATTERN)});
  IF m IS NOT NULL THEN
    y := m[1]::int; mo := m[2]::int; d := m[3]::int; off := m[8];
  ELSE
    m := regexp_match(t, {_quote(LOCAL_PATTERN)});
    IF m IS NULL THEN RETURN NULL; END IF;
    IF day_first THEN d := m[1]::int; mo := m[2]::int; ELSE mo := m[1]::int; d := m[2]::int; END IF;
    y := m[3]::int;
    IF length(m[3]) = 2 THEN y := y + CASE WHEN y < 70 THEN 2000 ELSE 1900 END; END IF;
  END IF;
  IF m[4] IS NOT NULL THEN
    h := m[4]::int; mi := m[5]::int; s := coalesce(m[6]::int, 0); ap := lower(m[7]);
  END IF;
  IF ap IS NOT NULL THEN
    IF h < 1 OR h > 12 THEN RETURN NULL; END IF;
    h := h % 12 + CASE WHEN ap = 'pm' THEN 12 ELSE 0 END;
  END IF;
  IF y < 1 OR y > 9999 OR h > 23 OR mi > 59 OR s > 59 THEN RETURN NULL; END IF;
  IF NOT with_time THEN
    RETURN to_jsonb(to_char(make_date(y, mo, d), 'YYYY-MM-DD'));
  END IF;
  ts := make_timestamp(y, mo, d, h, mi, s);
  IF off IS NULL THEN
    ts := timezone('UTC', timezone(coalesce(tz, 'UTC'), ts));
  ELSIF off <> 'Z' THEN
    sign := CASE WHEN left(off, 1) = '-' THEN -1 ELSE 1 END;
    off := replace(substr(off, 2), ':', '');
    ts := ts - sign * make_interval(hours => left(off, 2)::int,
                                    mins => coalesce(nullif(substr(off, 3), ''), '0')::int);
  END IF;
  IF extract(year FROM ts) NOT BETWEEN 1 AND 9999 THEN RETURN NULL; END IF;
  RETURN to_jsonb(to_char(ts, 'YYYY-MM-DD"T"HH24:MI:SS"Z"'));
EXCEPTION WHEN others THEN
  RETURN NULL;
END
$fn$
"""

PARSE_DURATION = f"""
CREATE OR REPLACE FUNCTION ncdb_field_parse_duration(t text)
RETURNS numeric LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $fn$
DECLARE
  m text[];
  neg boolean;
  total numeric;
BEGIN
  IF t IS NULL THEN RETURN NULL; END IF;
  t := lower(btrim(t));
  neg := left(t, 1) = '-';
  IF neg THEN t := btrim(substr(t, 2)); END IF;
  IF t = '' THEN RETURN NULL; END IF;
  m := regexp_match(t, {_quote(SECONDS_PATTERN)});
  IF m IS NOT NULL THEN
    total := m[1]::numeric;
  ELSE
    m := regexp_match(t, {_quote(CLOCK_PATTERN)});
    IF m IS NOT NULL THEN
      total := m[1]::numeric * 3600 + m[2]::numeric * 60 + coalesce(m[3]::numeric, 0);
    ELSE
      m := regexp_match(t, {_quote(DAYS_CLOCK_PATTERN)});
      IF m IS NOT NULL THEN
        total := m[1]::numeric * 86400 + m[2]::numeric * 3600 + m[3]::numeric * 60
          + coalesce(m[4]::numeric, 0);
      ELSE
        m := regexp_match(t, {_quote(UNITS_PATTERN)});
        IF m IS NULL OR (m[1] IS NULL AND m[2] IS NULL AND m[3] IS NULL AND m[4] IS NULL) THEN
          RETURN NULL;
        END IF;
        total := coalesce(m[1]::numeric, 0) * 86400 + coalesce(m[2]::numeric, 0) * 3600
          + coalesce(m[3]::numeric, 0) * 60 + coalesce(m[4]::numeric, 0);
      END IF;
    END IF;
  END IF;
  IF total >= 1e12 THEN RETURN NULL; END IF;
  RETURN CASE WHEN neg THEN -total ELSE total END;
EXCEPTION WHEN others THEN
  RETURN NULL;
END
$fn$
"""

FORMAT_DURATION = """
CREATE OR REPLACE FUNCTION ncdb_field_format_duration(seconds numeric, fmt text)
RETURNS text LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $fn$
DECLARE
  sign text := CASE WHEN seconds < 0 THEN '-' ELSE '' END;
  rest numeric := abs(seconds);
  days numeric := 0;
  hours numeric; mins numeric; secs numeric;
BEGIN
  IF seconds IS NULL THEN RETURN NULL; END IF;
  rest := round(rest, CASE WHEN fmt = 'h:mm:ss.s' THEN 1 ELSE 0 END);
  IF left(fmt, 2) = 'd ' THEN
    days := floor(rest / 86400);
    rest := rest - days * 86400;
  END IF;
  hours := floor(rest / 3600);
  mins := floor((rest - hours * 3600) / 60);
  secs := rest - hours * 3600 - mins * 60;
  RETURN sign || CASE fmt
    WHEN 'h:mm' THEN hours || ':' || lpad(mins::text, 2, '0')
    WHEN 'h:mm:ss' THEN hours || ':' || lpad(mins::text, 2, '0') || ':' || lpad(floor(secs)::text, 2, '0')
    WHEN 'h:mm:ss.s' THEN hours || ':' || lpad(mins::text, 2, '0') || ':'
      || lpad(to_char(secs, 'FM90.0'), 4, '0')
    WHEN 'd h' THEN days || 'd ' || hours || 'h'
    WHEN 'd h:mm' THEN days || 'd ' || hours || ':' || lpad(mins::text, 2, '0')
    ELSE days || 'd ' || hours || ':' || lpad(mins::text, 2, '0') || ':' || lpad(floor(secs)::text, 2, '0')
  END;
END
$fn$
"""

SUPPORT_SQL: list[str] = [PARSE_DATE, PARSE_DURATION, FORMAT_DURATION]
