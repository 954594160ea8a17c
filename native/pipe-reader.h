/*
 * A task's output pipe read on Node's loop without a net.Socket (included by
 * addon.c). A net.Socket per pipe cost the broker ~100 us of CPU a pipe to
 * make, read to its end and tear down; a job has two.
 *
 *   readPipe(fd, buffer, onRead) -> handle
 *       fd is made non-blocking and watched (uv_poll). At each readiness one
 *       read() of at most buffer.length bytes goes into buffer, and
 *       onRead(n) is called: n > 0 bytes are in buffer[0, n), valid until
 *       onRead returns (the caller shares one buffer between its pipes); 0
 *       end of file; -errno the read failed. After 0 or -errno the fd is
 *       closed and onRead is not called again.
 *   pipeControl(handle, op)
 *       op 0 pause (stop watching), 1 resume, 2 close: stop, close the fd,
 *       no call after. A handle closed (by either) ignores every op.
 *
 * The struct is freed once libuv has closed its poll handle and JS has let
 * go of the handle (its finalizer): whichever comes last.
 */

struct pipe_reader {
  uv_poll_t poll;
  int fd;
  /* 1 while polled, 0 paused; -1 closed */
  int state;
  /* libuv's handle and JS's external: freed at 0 */
  int holds;
  char *buf;
  size_t cap;
  napi_env env;
  napi_ref cb;
  napi_async_context ctx;
};

static void pipe_reader_release(struct pipe_reader *r) {
  if (--r->holds == 0) free(r);
}

static void pipe_reader_uv_closed(uv_handle_t *h) { pipe_reader_release(h->data); }

static void pipe_reader_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  pipe_reader_release(data);
}

static void pipe_reader_call(struct pipe_reader *r, int n);

/*
 * Stop for good: the fd closed, the poll handle closed, the callback let go;
 * with tell, onRead(last) first (end of file or -errno). r lives until
 * libuv's close callback, in a later phase of this loop turn.
 */
static void pipe_reader_close(struct pipe_reader *r, int tell, int last) {
  if (r->state < 0) return;
  r->state = -1;
  uv_poll_stop(&r->poll);
  close(r->fd);
  uv_close((uv_handle_t *)&r->poll, pipe_reader_uv_closed);
  if (tell) pipe_reader_call(r, last);
  napi_delete_reference(r->env, r->cb);
  napi_async_destroy(r->env, r->ctx);
}

static void pipe_reader_call(struct pipe_reader *r, int n) {
  napi_env env = r->env;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value fn, global, arg, result;
  napi_get_reference_value(env, r->cb, &fn);
  napi_get_global(env, &global);
  napi_create_int32(env, n, &arg);
  napi_make_callback(env, r->ctx, global, fn, 1, &arg, &result);
  napi_close_handle_scope(env, scope);
}

static void on_pipe_readable(uv_poll_t *p, int status, int events) {
  (void)status;
  (void)events;
  struct pipe_reader *r = p->data;
  if (r->state <= 0) return;
  ssize_t n;
  do n = read(r->fd, r->buf, r->cap);
  while (n < 0 && errno == EINTR);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
  if (n > 0) {
    pipe_reader_call(r, (int)n);
    return;
  }
  pipe_reader_close(r, 1, n == 0 ? 0 : -errno);
}

static napi_value js_read_pipe(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value a[3];
  napi_get_cb_info(env, info, &argc, a, NULL, NULL);
  int32_t fd = -1;
  void *data = NULL;
  size_t cap = 0;
  bool is_buf = false;
  napi_valuetype ft;
  if (argc < 3 || napi_get_value_int32(env, a[0], &fd) != napi_ok || fd < 0 || napi_is_buffer(env, a[1], &is_buf) != napi_ok || !is_buf ||
      napi_get_buffer_info(env, a[1], &data, &cap) != napi_ok || cap == 0 || napi_typeof(env, a[2], &ft) != napi_ok || ft != napi_function) {
    napi_throw_type_error(env, NULL, "readPipe(fd, buffer, onRead): bad arguments");
    return NULL;
  }
  uv_loop_t *loop = NULL;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == NULL) {
    napi_throw_error(env, NULL, "readPipe: no event loop");
    return NULL;
  }
  if (fcntl(fd, F_SETFL, O_NONBLOCK) < 0) return throw_errno(env, "readPipe");
  struct pipe_reader *r = calloc(1, sizeof *r);
  if (r == NULL) {
    napi_throw_error(env, NULL, "readPipe: out of memory");
    return NULL;
  }
  if (uv_poll_init(loop, &r->poll, fd) != 0) {
    free(r);
    errno = EBADF;
    return throw_errno(env, "readPipe");
  }
  r->fd = fd;
  r->buf = data;
  r->cap = cap;
  r->env = env;
  r->poll.data = r;
  r->holds = 2;
  napi_value name, handle;
  napi_create_reference(env, a[2], 1, &r->cb);
  napi_create_string_utf8(env, "flux-ts:pipe", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, NULL, name, &r->ctx);
  napi_create_external(env, r, pipe_reader_finalize, NULL, &handle);
  r->state = 1;
  uv_poll_start(&r->poll, UV_READABLE, on_pipe_readable);
  return handle;
}

static napi_value js_pipe_control(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value a[2];
  napi_get_cb_info(env, info, &argc, a, NULL, NULL);
  struct pipe_reader *r = NULL;
  int32_t op = -1;
  if (argc < 2 || napi_get_value_external(env, a[0], (void **)&r) != napi_ok || r == NULL || napi_get_value_int32(env, a[1], &op) != napi_ok) {
    napi_throw_type_error(env, NULL, "pipeControl(handle, op): bad arguments");
    return NULL;
  }
  if (r->state < 0) return NULL;
  if (op == 0 && r->state == 1) {
    uv_poll_stop(&r->poll);
    r->state = 0;
  } else if (op == 1 && r->state == 0) {
    uv_poll_start(&r->poll, UV_READABLE, on_pipe_readable);
    r->state = 1;
  } else if (op == 2) {
    pipe_reader_close(r, 0, 0);
  }
  return NULL;
}
