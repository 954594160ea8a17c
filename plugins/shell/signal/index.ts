/**
 * signal: shell option `signal` (option.ts): a signal to every task some time
 * before the job's time limit. Leader side: shell.init refuses a malformed
 * option (the job's exception), shell.start arms the timer, shell.exit and a
 * fatal exception disarm it.
 */
import { longTimeout, type LongTimer } from '../../../kernel/api';
import { defineShellPlugin, ShellError } from '../../../modules/job-exec/plugin-api';
import { signalName, signalOption, type SignalPlan } from './option';

export default defineShellPlugin({
  name: 'signal',
  leader(ctx) {
    if (ctx.options['signal'] === undefined) return undefined;
    let plan: SignalPlan | undefined;
    let timer: LongTimer | undefined;
    let over = false;
    const stop = () => {
      over = true;
      timer?.clear();
      timer = undefined;
    };
    return {
      'shell.init'() {
        try {
          plan = signalOption(ctx.options['signal']);
        } catch (e) {
          throw new ShellError((e as Error).message);
        }
      },
      'shell.start'() {
        if (!plan || over) return;
        const p = plan;
        const name = signalName(p.signum);
        const expiration = ctx.expiration();
        if (!(expiration > 0)) {
          ctx.log(5, `signal: job has no expiration, ${name} will not be sent`);
          return;
        }
        const inMs = Math.max(0, expiration * 1000 - p.timeleft * 1000 - Date.now());
        timer = longTimeout(() => {
          timer = undefined;
          if (over) return;
          ctx.log(5, `signal: job will expire in ${p.timeleft.toFixed(1)}s, sending ${name} to job`);
          ctx.kill(p.signum);
        }, inMs).unref();
      },
      'job.event'(e) {
        // a fatal exception ends the job: no signal after it
        if (e.name === 'exception' && e.context['severity'] === 0) stop();
      },
      'shell.exit': stop,
    };
  },
});
