import { ConfigError } from '../core/errors';

/** Fills `${NAME}` placeholders; a placeholder without a value is an error naming it and the file. */
export function fillTemplate(sql: string, values: Readonly<Record<string, string>>, file: string): string {
  return sql.replace(/\$\{([A-Z_][A-Z0-9_]*)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new ConfigError(`${file} uses \${${name}}, which has no value (see [snowflake] in config/default.ini)`);
    return value;
  });
}
