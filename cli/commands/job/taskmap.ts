/**
 * flux job taskmap [OPTIONS] ID|TASKMAP: a job's RFC 34 task map (from the
 * `shell.start` event of its exec eventlog, waited for), or one given on the
 * command line; or what it says about a node or a task, or the map in another
 * form.
 */
import { JobCommand } from '../../jobspec/job-command';
import type { CommandSpec } from '../../options';
import { encodeKvs, hostlist, idset, tryParseJobId } from '../../../lib/formats';
import type { JobRecord } from '../../jobspec/job-info';
import { TaskmapError, decodeTaskmap, encodeJson, encodePmi, encodeRaw, nodeCount, tasksOn, type NodeOfTask } from '../../taskmap/taskmap';

interface Entry {
  name: string;
  context?: Record<string, unknown>;
}

const QUERIES = ['taskids', 'ntasks', 'nodeid', 'hostname', 'to'] as const;

export class JobTaskmapCommand extends JobCommand {
  static override spec: CommandSpec = {
    path: ['job', 'taskmap'],
    grammar: 'getopt',
    prog: 'flux-job taskmap',
    summary: 'Utility function for working with job task maps',
    docLine: true,
    usage: '[OPTIONS] JOBID|TASKMAP',
    options: [
      { name: 'taskids', arg: 'NODEID', description: 'Print idset of tasks on node NODEID' },
      { name: 'ntasks', arg: 'NODEID', description: 'Print number of tasks on node NODEID' },
      { name: 'nodeid', arg: 'TASKID', description: 'Print the shell rank/nodeid on which a taskid executed' },
      { name: 'hostname', arg: 'TASKID', description: 'Print the hostname on which a taskid executed' },
      { name: 'to', arg: 'FORMAT', description: 'Convert an RFC 34 taskmap to another format (FORMAT can be raw, pmi, multiline, or hosts)' },
    ],
    operands: [{ name: 'JOBID|TASKMAP', nargs: '1' }],
  };

  async run(): Promise<number> {
    const p = this.args;
    const given = QUERIES.filter((q) => p.has(q));
    if (given.length > 1) this.fail('only one of --taskids, --ntasks, --nodeid, --hostname, --to may be used');
    const arg = p.operands[0]!;
    let map: NodeOfTask;
    let job: number | undefined;
    if (tryParseJobId(arg) !== undefined && !/^[[{(]/.test(arg.trim())) {
      job = this.jobId(arg);
      map = await this.jobTaskmap(job, arg);
    } else {
      try {
        map = decodeTaskmap(arg);
      } catch (e) {
        this.fail(`error decoding taskmap: ${(e as TaskmapError).message}`);
      }
    }
    const out = (s: string) => process.stdout.write(s + '\n');
    const num = (name: string, v: string): number => {
      if (!/^\d+$/.test(v)) this.fail(`invalid ${name} ${v}`);
      return Number(v);
    };
    if (p.has('taskids') || p.has('ntasks')) {
      const which = p.has('taskids') ? 'taskids' : 'ntasks';
      const node = num('nodeid', p.str(which)!);
      const tasks = tasksOn(map, node);
      if (tasks.length === 0) this.fail(`No tasks found on nodeid ${node}`);
      out(which === 'taskids' ? idset.encode(tasks) : String(tasks.length));
    } else if (p.has('nodeid') || p.has('hostname')) {
      const which = p.has('nodeid') ? 'nodeid' : 'hostname';
      const task = num('taskid', p.str(which)!);
      const node = map[task];
      if (node === undefined) this.fail(`invalid taskid ${task}`);
      if (which === 'nodeid') out(String(node));
      else {
        if (job === undefined) this.fail('--hostname only works with a jobid');
        const hosts = await this.jobHosts(job);
        const host = hosts[node];
        if (host === undefined) this.fail(`no host for nodeid ${node}`);
        out(host);
      }
    } else if (p.has('to')) {
      const to = p.str('to')!;
      if (to === 'raw') out(encodeRaw(map));
      else if (to === 'pmi') out(encodePmi(map));
      else if (to === 'multiline') for (const n of map) out(String(n));
      else if (to === 'hosts') {
        if (job === undefined) this.fail('--to=hosts only works with a jobid');
        const hosts = await this.jobHosts(job);
        for (let n = 0; n < nodeCount(map); n++) out(`${hosts[n] ?? `node ${n}`}: ${idset.encode(tasksOn(map, n))}`);
      }
      else this.fail(`invalid value --to=${to}`);
    } else out(encodeJson(map));
    return 0;
  }

  /** the hosts of the job's nodes, in node id order */
  private async jobHosts(id: number): Promise<string[]> {
    const h = await this.connect();
    const r = await h.rpc<{ jobs: JobRecord[] }>('job-manager.list', { ids: [id] });
    const nodelist = r.jobs.find((j) => j.id === id)?.nodelist;
    return nodelist ? hostlist.expand(nodelist) : [];
  }

  /** wait for the job's shell.start event; fail if the job ends without one */
  private async jobTaskmap(id: number, typed: string): Promise<NodeOfTask> {
    const h = await this.connect();
    const dir = encodeKvs(id);
    try {
      await h.rpc('kvs.get', { key: `${dir}.eventlog` });
    } catch {
      this.fail(`job ${typed} not found`);
    }
    const found = await new Promise<unknown>((resolve) => {
      let done = false;
      const finish = (v: unknown) => {
        if (done) return;
        done = true;
        resolve(v);
      };
      h.rpcStream('kvs.watch', { key: `${dir}.guest.exec.eventlog` }, (m) => {
        for (const e of (m as { entries?: Entry[] }).entries ?? []) if (e.name === 'shell.start') finish(e.context?.['taskmap']);
      }).then(
        () => finish(undefined),
        () => finish(undefined),
      );
      // a job that ends without starting its shells has no task map
      h.rpcStream('kvs.watch', { key: `${dir}.eventlog` }, (m) => {
        if (((m as { entries?: Entry[] }).entries ?? []).some((e) => e.name === 'clean')) {
          void h.rpc<{ value?: unknown }>('kvs.get', { key: `${dir}.guest.exec.eventlog` }).then(
            () => undefined,
            () => finish(undefined),
          );
        }
      }).catch(() => undefined);
    });
    if (found === undefined) this.fail(`job ${typed} has no taskmap (its shells never started)`);
    try {
      return decodeTaskmap(JSON.stringify(found));
    } catch (e) {
      this.fail(`error decoding taskmap: ${(e as Error).message}`);
    }
  }
}
