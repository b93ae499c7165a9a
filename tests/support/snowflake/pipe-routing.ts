/**
 * Which pipe takes a file, and under which name. CREATE PIPE, usage notes: "Snowpipe trims any
 * path segments in the stage definition from the storage location and applies the regular
 * expression to any remaining path segments and filenames." Its example: for `FROM
 * @s/path1/path2/` on a stage with URL `s3://mybucket/path1/`, Snowpipe trims
 * `s3://mybucket/path1/path2/` and applies PATTERN to the rest. A regular expression PATTERN
 * matches the whole of that remainder: COPY INTO <table> calls PATTERN "a regular expression
 * pattern string … specifying the file names and/or paths to match", and its examples start with
 * `.*` because, as REGEXP_LIKE's page puts it for Snowflake's patterns, the pattern is "implicitly
 * anchored at both ends".
 */
export interface PipeLocation {
  /** The stage's URL, ending in `/` (`s3://music-lake/lake/raw/`). */
  stageUrl: string;
  /** The path after the stage name in the pipe's FROM (`listening/users/`). */
  fromPath: string;
  /** Anchored at both ends. */
  pattern?: RegExp;
}

export interface Routed {
  /** What PATTERN was applied to: the location with the stage URL and FROM path trimmed. */
  remainder: string;
  /** The file's path relative to the stage: COPY_HISTORY FILE_NAME and METADATA$FILENAME. */
  stagePath: string;
}

/** The routing of `s3://bucket/key` through one pipe, or undefined when the pipe does not take it. */
export function routeToPipe(location: string, pipe: PipeLocation): Routed | undefined {
  const prefix = `${pipe.stageUrl}${pipe.fromPath}`;
  if (!location.startsWith(prefix)) return undefined;
  const remainder = location.slice(prefix.length);
  if (pipe.pattern && !pipe.pattern.test(remainder)) return undefined;
  return { remainder, stagePath: location.slice(pipe.stageUrl.length) };
}
