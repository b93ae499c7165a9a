-- soundlake: the service user Looker connects as. Bootstrap (creating users needs USERADMIN or
-- ACCOUNTADMIN), so this runs as [snowflake] admin_role. Applied only when [looker]
-- public_key_path names the public half of Looker's key pair; without it setup skips this file and
-- says so.
--
-- TYPE = SERVICE: no password, no MFA, no SAML; key-pair authentication only. The key is the one in
-- public_key_path on every setup (ALTER USER … SET keeps an existing user and installs that key),
-- so rotating it is: put the new public key there, run setup, update Looker's connection.

CREATE USER IF NOT EXISTS ${LOOKER_USER}
  TYPE = SERVICE
  DEFAULT_ROLE = ${LOOKER_ROLE}
  DEFAULT_WAREHOUSE = ${WAREHOUSE}
  DEFAULT_NAMESPACE = ${DATABASE}.ANALYTICS
  RSA_PUBLIC_KEY = '${LOOKER_PUBLIC_KEY}'
  COMMENT = 'Looker: reads soundlake ANALYTICS views (key pair only)';
ALTER USER ${LOOKER_USER} SET RSA_PUBLIC_KEY = '${LOOKER_PUBLIC_KEY}';
GRANT ROLE ${LOOKER_ROLE} TO USER ${LOOKER_USER};
