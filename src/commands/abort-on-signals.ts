/** Runs `fn` with an AbortSignal that SIGTERM (ECS stopping the task) and SIGINT (Ctrl-C) fire. */
export async function withAbortOnSignals<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onTerm = () => controller.abort('received SIGTERM');
  const onInt = () => controller.abort('received SIGINT');
  process.once('SIGTERM', onTerm);
  process.once('SIGINT', onInt);
  try {
    return await fn(controller.signal);
  } finally {
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onInt);
  }
}
