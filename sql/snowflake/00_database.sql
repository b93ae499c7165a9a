-- soundlake: database, schemas, warehouse and roles. Idempotent: safe to apply again.
-- Bootstrap: applied as [snowflake] admin_role (ACCOUNTADMIN, or a role with CREATE DATABASE,
-- CREATE WAREHOUSE, CREATE ROLE and MANAGE GRANTS); the files from 10_ on run as the loader role.
-- Placeholders (a dollar sign and a NAME in braces) come from [snowflake] settings;
-- `soundlake snowflake setup --dry-run` prints the statements with them filled.

CREATE DATABASE IF NOT EXISTS ${DATABASE};
CREATE SCHEMA IF NOT EXISTS ${DATABASE}.RAW COMMENT = 'Append-only tables loaded by Snowpipe from the lake';
CREATE SCHEMA IF NOT EXISTS ${DATABASE}.ANALYTICS COMMENT = 'Deduplicated views and KPIs for Looker';

CREATE WAREHOUSE IF NOT EXISTS ${WAREHOUSE}
  WAREHOUSE_SIZE = XSMALL
  AUTO_SUSPEND = 60
  AUTO_RESUME = TRUE
  INITIALLY_SUSPENDED = TRUE;

-- The loader role owns the RAW objects and the views; soundlake's setup and verify run as it.
CREATE ROLE IF NOT EXISTS ${LOADER_ROLE};
GRANT USAGE ON DATABASE ${DATABASE} TO ROLE ${LOADER_ROLE};
GRANT USAGE, CREATE TABLE, CREATE PIPE, CREATE STAGE, CREATE FILE FORMAT, CREATE VIEW ON SCHEMA ${DATABASE}.RAW TO ROLE ${LOADER_ROLE};
-- CREATE DYNAMIC TABLE: the KPIs as dynamic tables ([snowflake] kpi_materialization = dynamic_table).
GRANT USAGE, CREATE VIEW, CREATE DYNAMIC TABLE ON SCHEMA ${DATABASE}.ANALYTICS TO ROLE ${LOADER_ROLE};
GRANT USAGE ON WAREHOUSE ${WAREHOUSE} TO ROLE ${LOADER_ROLE};
-- A role must be granted before anyone can use it: to the user soundlake connects as, and to
-- SYSADMIN so administrators keep seeing what it owns.
GRANT ROLE ${LOADER_ROLE} TO USER ${SNOWFLAKE_USER};
GRANT ROLE ${LOADER_ROLE} TO ROLE SYSADMIN;

-- Looker reads ANALYTICS only: SELECT on its views (views run with their owner's rights, so RAW
-- stays closed to it), including views created later.
CREATE ROLE IF NOT EXISTS ${LOOKER_ROLE};
GRANT USAGE ON DATABASE ${DATABASE} TO ROLE ${LOOKER_ROLE};
GRANT USAGE ON SCHEMA ${DATABASE}.ANALYTICS TO ROLE ${LOOKER_ROLE};
GRANT SELECT ON FUTURE VIEWS IN SCHEMA ${DATABASE}.ANALYTICS TO ROLE ${LOOKER_ROLE};
GRANT USAGE ON WAREHOUSE ${WAREHOUSE} TO ROLE ${LOOKER_ROLE};
GRANT ROLE ${LOOKER_ROLE} TO ROLE SYSADMIN;

USE DATABASE ${DATABASE};
