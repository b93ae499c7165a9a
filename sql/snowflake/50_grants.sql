-- soundlake: Looker's SELECT on the views that exist now (00_database.sql granted the future ones).
USE DATABASE ${DATABASE};

GRANT SELECT ON ALL VIEWS IN SCHEMA ANALYTICS TO ROLE ${LOOKER_ROLE};
