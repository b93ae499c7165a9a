-- soundlake: the storage integration Snowflake reads the lake through (an IAM role it assumes; no
-- keys anywhere). Bootstrap: creating an integration needs ACCOUNTADMIN or CREATE INTEGRATION, so
-- this runs as [snowflake] admin_role. Setup prints the integration's IAM user and external id right
-- after this file, before any stage or pipe exists.
--
-- An integration that exists is left as it is (IF NOT EXISTS). To change its role ARN or allowed
-- location: ALTER STORAGE INTEGRATION ${STORAGE_INTEGRATION} SET STORAGE_AWS_ROLE_ARN = '…' (its
-- external id stays the same; CREATE OR REPLACE would issue a new one and break the trust policy).

CREATE STORAGE INTEGRATION IF NOT EXISTS ${STORAGE_INTEGRATION}
  TYPE = EXTERNAL_STAGE
  STORAGE_PROVIDER = 'S3'
  ENABLED = TRUE
  STORAGE_AWS_ROLE_ARN = '${STORAGE_ROLE_ARN}'
  STORAGE_ALLOWED_LOCATIONS = ('${LAKE_URL}/raw/')
  COMMENT = 'soundlake lake, raw/ only';
GRANT USAGE ON INTEGRATION ${STORAGE_INTEGRATION} TO ROLE ${LOADER_ROLE};
