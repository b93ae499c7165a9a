/**
 * Network failures that mean the host cannot be reached at all, as opposed to a hiccup: retrying
 * them for a minute only delays the same error. `EAI_AGAIN` is the resolver's "temporary" failure,
 * but it is also what a container without DNS answers every time, so it is counted here too.
 */
const UNREACHABLE: Record<string, string> = {
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name could not be resolved (no DNS answer)',
  ECONNREFUSED: 'nothing accepts connections on that port',
};

/** `fetch` (undici) keeps the system error under `cause`; a multi-address connect under `cause.errors`. */
function codeOf(error: unknown): string | undefined {
  const cause = (error as { cause?: { code?: unknown; errors?: { code?: unknown }[] } } | null)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  const nested = cause?.errors?.find((e) => typeof e.code === 'string')?.code;
  return typeof nested === 'string' ? nested : undefined;
}

/** "api.example.com (ENOTFOUND: the host name does not resolve)" when `error` is such a failure to reach `url`. */
export function unreachableHost(error: unknown, url: string | URL): string | undefined {
  const code = codeOf(error);
  if (code === undefined || !(code in UNREACHABLE)) return undefined;
  return `${new URL(url).host} (${code}: ${UNREACHABLE[code]})`;
}
