-- soundlake: how Snowflake reads the lake: the CSV file format of the lake contract, and one stage
-- on {lake}/raw/ through the storage integration of 05_integration.sql (no keys in any stage).
-- Applied as the loader role.
USE DATABASE ${DATABASE};


-- The lake's CSV contract: NULL is an empty unquoted field, strings are always quoted with "
-- (doubled inside), so "" is an empty string. The defaults would turn \N into NULL and eat backslashes.
CREATE OR REPLACE FILE FORMAT RAW.SOUNDLAKE_CSV
  TYPE = CSV
  COMPRESSION = GZIP
  SKIP_HEADER = 1
  FIELD_OPTIONALLY_ENCLOSED_BY = '"'
  ESCAPE = NONE
  ESCAPE_UNENCLOSED_FIELD = NONE
  EMPTY_FIELD_AS_NULL = TRUE
  NULL_IF = ()
  ENCODING = 'UTF8'
  ERROR_ON_COLUMN_COUNT_MISMATCH = TRUE;

-- Only raw/: _staging/ (uncommitted) and rejects/ are outside what Snowflake can list.
CREATE STAGE IF NOT EXISTS RAW.LAKE_STAGE
  URL = '${LAKE_URL}/raw/'
  STORAGE_INTEGRATION = ${STORAGE_INTEGRATION}
  FILE_FORMAT = RAW.SOUNDLAKE_CSV
  COMMENT = 'soundlake lake, committed files';
