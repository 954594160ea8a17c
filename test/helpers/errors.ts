/** The message `f` throws, or 'no error' (for tests that compare error texts). */
export function thrownMessage(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  return 'no error';
}
