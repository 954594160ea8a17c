/*
 * fileOps(ops, cb(results)): small file operations of the job shell, done in
 * order in ONE trip to Node's pool. On this kind of machine every hand-off to
 * a pool thread costs the event loop 40-120 us (the futex wake of a sleeping
 * thread), several times a job; the caller (modules/job-exec/file-ops.ts)
 * gathers the operations of a loop turn and hands them over together.
 *
 * ops is flat, four entries an operation: kind, path, text (or null), mode.
 *   0 mkdir(path, mode)
 *   1 is path a directory (stat; ENOTDIR for another kind of file)
 *   2 write path whole (open O_CREAT|O_TRUNC with mode, write text, close)
 *   3 rmdir(path)
 *   4 preallocate: fallocate(FALLOC_FL_KEEP_SIZE) of path's bytes 0 to text
 *     (a decimal length), its size unchanged (the kvs store's reserve:
 *     modules/kvs/reserve.ts; fallocate(1) cost the broker a fork each time)
 * results: one number an operation, 0 or the errno; for a write the errno
 * plus WRITING_FLAG when it failed after the open.
 */
#define FILE_OPS_WRITING_FLAG 0x10000

enum { FOP_MKDIR = 0, FOP_ISDIR = 1, FOP_WRITE = 2, FOP_RMDIR = 3, FOP_PREALLOCATE = 4 };

struct file_op {
  int kind;
  int mode;
  char *path;
  char *text;
  size_t len;
  int result;
};

struct ops_job {
  struct pool_trip trip;
  uint32_t n;
  struct file_op *ops;
};

static int write_whole(const struct file_op *op) {
  int fd;
  do fd = open(op->path, O_WRONLY | O_CREAT | O_TRUNC | O_NOCTTY | O_NONBLOCK | O_CLOEXEC, (mode_t)op->mode);
  while (fd < 0 && errno == EINTR);
  if (fd < 0) return errno;
  int err = 0;
  for (size_t off = 0; off < op->len;) {
    ssize_t n = write(fd, op->text + off, op->len - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      err = n < 0 ? errno : EIO;
      break;
    }
    off += (size_t)n;
  }
  if (close(fd) < 0 && err == 0 && errno != EINTR) err = errno;
  return err == 0 ? 0 : err | FILE_OPS_WRITING_FLAG;
}

static int preallocate(const struct file_op *op) {
  char *end = NULL;
  long long len = op->text != NULL ? strtoll(op->text, &end, 10) : -1;
  if (len <= 0 || end == NULL || *end != '\0') return EINVAL;
  int fd;
  do fd = open(op->path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
  while (fd < 0 && errno == EINTR);
  if (fd < 0) return errno;
  int r, err = 0;
  do r = fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, (off_t)len);
  while (r < 0 && errno == EINTR);
  if (r < 0) err = errno;
  close(fd);
  return err;
}

static int do_file_op(const struct file_op *op) {
  struct stat st;
  switch (op->kind) {
    case FOP_MKDIR:
      return mkdir(op->path, (mode_t)op->mode) < 0 ? errno : 0;
    case FOP_ISDIR:
      if (stat(op->path, &st) < 0) return errno;
      return S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
    case FOP_WRITE:
      return write_whole(op);
    case FOP_RMDIR:
      return rmdir(op->path) < 0 ? errno : 0;
    case FOP_PREALLOCATE:
      return preallocate(op);
    default:
      return EINVAL;
  }
}

static void ops_execute(napi_env env, void *data) {
  pool_thread_batch();
  (void)env;
  struct ops_job *j = data;
  for (uint32_t i = 0; i < j->n; i++) j->ops[i].result = do_file_op(&j->ops[i]);
}

static void ops_free(struct ops_job *j) {
  for (uint32_t i = 0; j->ops != NULL && i < j->n; i++) {
    free(j->ops[i].path);
    free(j->ops[i].text);
  }
  free(j->ops);
  free(j);
}

static void ops_complete(napi_env env, napi_status status, void *data) {
  struct ops_job *j = data;
  napi_value results, v;
  napi_create_array_with_length(env, j->n, &results);
  for (uint32_t i = 0; i < j->n; i++) {
    napi_create_int32(env, status == napi_ok ? j->ops[i].result : ECANCELED, &v);
    napi_set_element(env, results, i, v);
  }
  napi_value fn = trip_end(env, &j->trip);
  ops_free(j);
  call_back(env, fn, 1, &results);
}

/* one operation read from ops[4i .. 4i+3]; false when its entries are not what they must be */
static bool read_file_op(napi_env env, napi_value ops, uint32_t i, struct file_op *op) {
  napi_value k, p, t, m;
  napi_valuetype tt;
  if (napi_get_element(env, ops, 4 * i, &k) != napi_ok || napi_get_value_int32(env, k, &op->kind) != napi_ok) return false;
  if (napi_get_element(env, ops, 4 * i + 1, &p) != napi_ok || opt_string(env, p, &op->path) < 0 || op->path == NULL) return false;
  if (napi_get_element(env, ops, 4 * i + 3, &m) != napi_ok || napi_get_value_int32(env, m, &op->mode) != napi_ok) return false;
  if (napi_get_element(env, ops, 4 * i + 2, &t) != napi_ok || napi_typeof(env, t, &tt) != napi_ok) return false;
  if (tt != napi_string) return tt == napi_null;
  if (napi_get_value_string_utf8(env, t, NULL, 0, &op->len) != napi_ok || (op->text = malloc(op->len + 1)) == NULL) return false;
  napi_get_value_string_utf8(env, t, op->text, op->len + 1, &op->len);
  return true;
}

static napi_value js_file_ops(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value a[2];
  napi_valuetype t1;
  uint32_t len = 0;
  bool is_array = false;
  napi_get_cb_info(env, info, &argc, a, NULL, NULL);
  struct ops_job *j = calloc(1, sizeof *j);
  bool ok = j != NULL && argc == 2 && napi_is_array(env, a[0], &is_array) == napi_ok && is_array &&
            napi_get_array_length(env, a[0], &len) == napi_ok && len % 4 == 0 && len > 0 &&
            napi_typeof(env, a[1], &t1) == napi_ok && t1 == napi_function;
  if (ok) {
    j->n = len / 4;
    j->ops = calloc(j->n, sizeof *j->ops);
    ok = j->ops != NULL;
    for (uint32_t i = 0; ok && i < j->n; i++) ok = read_file_op(env, a[0], i, &j->ops[i]);
  }
  if (!ok) {
    if (j != NULL) ops_free(j);
    napi_throw_type_error(env, NULL, "fileOps(ops, cb): [kind, path, text | null, mode] ... and a function");
    return NULL;
  }
  if (!trip_queue(env, &j->trip, a[1], "flux-ts:file-ops", ops_execute, ops_complete)) {
    ops_free(j);
    napi_throw_error(env, NULL, "fileOps: cannot queue the work");
    return NULL;
  }
  return NULL;
}
