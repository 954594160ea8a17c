/**
 * flux-broker: parse the command line, run one broker, exit with its status.
 * `flux start` (normal mode) runs this in its own process, as Flux's execs the
 * broker; `flux start --test-size=N` spawns N processes of it.
 */
import { parseBrokerArgs } from './boot/args';
import { Broker, type BrokerOptions } from './broker';
import { exitWhenDrained, guardBrokerStdio } from './exit';

export { exitWhenDrained, guardBrokerStdio, parseBrokerArgs };
// for the broker zygote's preload (cli/start/zygote-preload.ts)
export { builtinModuleDir, resolveModule } from './module/resolve';
// flux start --test-in-process builds its brokers from the same bundle as this file
export { Broker, SharedProcess } from './broker';

export async function brokerMain(argv: readonly string[], opts: BrokerOptions = {}): Promise<number> {
  guardBrokerStdio();
  let args;
  try {
    args = parseBrokerArgs(argv);
  } catch (e) {
    process.stderr.write(`flux-broker: ${(e as Error).message}\n`);
    return 1;
  }
  const broker = new Broker(args, opts);
  return broker.run();
}

if (require.main === module) {
  brokerMain(process.argv.slice(2)).then(
    (rc) => exitWhenDrained(rc),
    (e) => {
      process.stderr.write(`flux-broker: ${(e as Error).stack ?? String(e)}\n`);
      exitWhenDrained(1);
    },
  );
}
