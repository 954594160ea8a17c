/*
 * What flux-task (native/flux-task.c) tells the broker about its task, on the
 * status pipe: one record per write (8 bytes: a pipe write that small is never
 * split).
 */
#ifndef FLUX_TS_TASK_RECORD_H
#define FLUX_TS_TASK_RECORD_H
#include <stdint.h>

struct task_record {
  /* 'F' the task's pid (before exec), 'P' the task's pid (it runs), 'E' errno of a failed start,
   * 'R' errno of the rmdir of the job's tmpdir (FLAGS "r"), 'X' the task's wait status */
  uint32_t type;
  int32_t value;
};

#endif
