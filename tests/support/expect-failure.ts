import { SoundlakeError } from '../../src/core/errors';

/** Awaits a run that must fail with a SoundlakeError (carrying an exit code), and returns the error. */
export async function expectFailure(promise: Promise<unknown>): Promise<SoundlakeError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SoundlakeError);
  return error as SoundlakeError;
}
