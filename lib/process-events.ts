/**
 * Events a broker emits on `process` for what lives outside the bundle:
 * cli/bundle-loader.ts writes the bundle's code cache on the first of them
 * (start-up's compiled functions, and not those of jobs run later).
 */
/** the broker is up (state run), before its initial program or any job (kernel/broker.ts) */
export const BROKER_STARTED = 'flux:started';
/** the first idle reduction is about to drop start-up's compiled code (lib/idle-reduce.ts) */
export const BEFORE_IDLE_FLUSH = 'flux:before-idle-flush';
