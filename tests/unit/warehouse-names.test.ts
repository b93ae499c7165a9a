import * as fs from 'node:fs';
import * as path from 'node:path';
import { ANALYTICS_SCHEMA, CSV_FILE_FORMAT, LAKE_STAGE, RAW_SCHEMA } from '../../src/tables/warehouse-names';

/** The hand-written DDL creates the objects the generated SQL and the code name (src/tables/warehouse-names.ts). */
const ddl = (file: string) => fs.readFileSync(path.join(__dirname, '..', '..', 'sql', 'snowflake', file), 'utf8');

test('the hand-written DDL creates the schemas, the stage and the file format under the names the code uses', () => {
  expect(ddl('00_database.sql')).toContain(`CREATE SCHEMA IF NOT EXISTS \${DATABASE}.${RAW_SCHEMA} `);
  expect(ddl('00_database.sql')).toContain(`CREATE SCHEMA IF NOT EXISTS \${DATABASE}.${ANALYTICS_SCHEMA} `);
  expect(ddl('10_storage.sql')).toContain(`CREATE OR REPLACE FILE FORMAT ${CSV_FILE_FORMAT}\n`);
  expect(ddl('10_storage.sql')).toContain(`CREATE STAGE IF NOT EXISTS ${LAKE_STAGE}\n`);
});
