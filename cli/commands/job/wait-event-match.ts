/**
 * flux job wait-event -m KEY=VAL: an event matches when its context has KEY
 * and VAL is the value as compact JSON (`1`, `true`, `"x"`, `[0,1]`; Flux's
 * reals as jansson prints them) or, for a string, the string itself
 * (flux-job(1)).
 */
import { contextValue } from '../../eventlog/reals';

/** the test for a KEY=VAL argument (undefined: it has no `=`) */
export function contextMatcher(arg: string): ((event: string, context: Record<string, unknown> | undefined) => boolean) | undefined {
  const eq = arg.indexOf('=');
  if (eq < 0) return undefined;
  const key = arg.slice(0, eq);
  const want = arg.slice(eq + 1);
  return (event, context) => {
    if (context === undefined || context === null || !Object.prototype.hasOwnProperty.call(context, key)) return false;
    const v = context[key];
    return contextValue(event, key, v) === want || (typeof v === 'string' && v === want);
  };
}
