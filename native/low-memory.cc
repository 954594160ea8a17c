/*
 * lowMemory() and v8Flags() for flux-ts.node (addon.c): the calls the addon
 * makes into V8 itself, which Node-API does not offer. lowMemory:
 * Isolate::LowMemoryNotification() runs V8's full collections in
 * memory-reducing mode: it compacts, releases the pages the collections
 * emptied and shrinks the young generation back to its initial size (a broker's start-up grows it to 8 MiB, of which an idle broker
 * uses little). A pause of tens of milliseconds: the broker calls it only once
 * it has gone idle (lib/idle-reduce.ts), never on a hot path.
 *
 * Built as C++ (V8's API is C++) and linked into the addon; a machine without
 * a C++ compiler builds the addon without it (no lowMemory export).
 */
#include <v8.h>

/*
 * flush_all: the bytecode of every function not running is dropped too
 * (V8's --stress-flush-code, for these collections only): right after
 * start-up most compiled code will never run again, and whatever does
 * compiles again when it is called. Otherwise V8 flushes only bytecode
 * that has not run for several collections.
 */
extern "C" int flux_low_memory(int flush_all) {
  v8::Isolate *isolate = v8::Isolate::GetCurrent();
  if (isolate == nullptr) return 0;
  if (flush_all) v8::V8::SetFlagsFromString("--stress-flush-code");
  isolate->LowMemoryNotification();
  if (flush_all) v8::V8::SetFlagsFromString("--no-stress-flush-code");
  return 1;
}

/*
 * V8's flags set from the running process (v8::V8::SetFlagsFromString): for
 * a flag V8 reads as it runs, such as the tier-up budgets the broker sets at
 * its start (lib/native.ts tierUpSooner). A broker that runs inside `flux
 * start` (and every broker of --test-in-process) has no command line of its
 * own to carry them.
 */
extern "C" void flux_v8_flags(const char *flags) { v8::V8::SetFlagsFromString(flags); }

/*
 * A forked broker (native/zygote.h) leaves with _exit: Node's own exit
 * (process.exit, an uncaught exception) would dispose of the platform and
 * wait to join worker threads that a forked process does not have.
 * node::SetProcessExitHandler takes the place of that teardown; what runs
 * before it (the 'exit' event, the uncaught exception's message) is as
 * before. 0 when there is no Node environment to hook.
 */
#include <node.h>
#include <unistd.h>

extern "C" int flux_exit_without_teardown(void) {
  v8::Isolate *isolate = v8::Isolate::GetCurrent();
  if (isolate == nullptr) return 0;
  node::Environment *env = node::GetCurrentEnvironment(isolate->GetCurrentContext());
  if (env == nullptr) return 0;
  node::SetProcessExitHandler(env, [](node::Environment *, int code) { _exit(code & 0xff); });
  return 1;
}
