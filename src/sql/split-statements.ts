/**
 * Splits a SQL script into statements at top-level semicolons: not inside '…' strings (with ''
 * escapes), "…" identifiers, $$…$$ bodies, -- line comments or block comments. Statements that are
 * only comments are dropped; the returned texts keep their comments and lose the final semicolon.
 */
export function splitStatements(script: string): string[] {
  const statements: string[] = [];
  let start = 0;
  let i = 0;
  const n = script.length;
  const push = (end: number) => {
    const text = script.slice(start, end).trim();
    if (stripComments(text).trim() !== '') statements.push(text);
  };
  while (i < n) {
    const c = script[i];
    const next = script[i + 1];
    if (c === "'" || c === '"') {
      i++;
      while (i < n) {
        if (script[i] === c) {
          if (script[i + 1] === c) i += 2;
          else break;
        } else if (c === "'" && script[i] === '\\') i += 2; // Snowflake strings allow backslash escapes
        else i++;
      }
      i++;
    } else if (c === '$' && next === '$') {
      const end = script.indexOf('$$', i + 2);
      i = end < 0 ? n : end + 2;
    } else if (c === '-' && next === '-') {
      const end = script.indexOf('\n', i);
      i = end < 0 ? n : end + 1;
    } else if (c === '/' && next === '*') {
      const end = script.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
    } else if (c === ';') {
      push(i);
      i++;
      start = i;
    } else {
      i++;
    }
  }
  push(n);
  return statements;
}

/** The statement without comments (strings kept), for deciding whether anything is left. */
export function stripComments(sql: string): string {
  return sql.replace(/--[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '');
}
