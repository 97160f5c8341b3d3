// uv_echo_bare.cc — the bare libuv echo server of ci/bench's "stream layer" section: the limit the
// C++ stream is measured against (target: io::Stream echo >= 0.9x this).
//
// Written the way a careful C programmer writes it against uv.h alone, no sioconf code: one
// uv_tcp_t per connection, uv_read_start with a 64 KiB buffer malloc'ed by the alloc callback, and
// uv_write of exactly what was read, that buffer freed by the write callback. Backpressure with
// the stream's default marks, so that both servers hold the same amount in flight: reading stops
// while more than 64 KiB of writes are queued (uv_stream_get_write_queue_size) and resumes when the
// queue is back to 16 KiB or less. At EOF the server shuts its side down and closes; it exits once
// `conns` connections have ended.
//
//   run_bare_echo_server(port_file, conns)   (sioconf_io_bench --bare-echo-server PORT_FILE)
#include "io_bench_common.h"

#include <uv.h>

#include <cstdio>
#include <cstdlib>

namespace {

constexpr std::size_t kReadBytes = 64 * 1024;
constexpr std::size_t kHighWater = 64 * 1024;
constexpr std::size_t kLowWater = 16 * 1024;

struct Server {
  uv_loop_t* loop = nullptr;
  uv_tcp_t listener{};
  int conns_left = 1;
  unsigned long long bytes = 0;
};

struct Conn {
  uv_tcp_t tcp{};
  Server* server = nullptr;
  bool paused = false;
  bool ended = false;
};

struct WriteReq {
  uv_write_t req;
  char* base;
};

void on_closed(uv_handle_t* handle) {
  Conn* c = static_cast<Conn*>(handle->data);
  Server* s = c->server;
  delete c;
  if (--s->conns_left == 0) uv_close(reinterpret_cast<uv_handle_t*>(&s->listener), nullptr);
}

void on_shutdown(uv_shutdown_t* req, int) {
  uv_close(reinterpret_cast<uv_handle_t*>(req->handle), on_closed);
  delete req;
}

void end_conn(Conn* c) {
  if (c->ended) return;
  c->ended = true;
  uv_read_stop(reinterpret_cast<uv_stream_t*>(&c->tcp));
  auto* req = new uv_shutdown_t;
  if (uv_shutdown(req, reinterpret_cast<uv_stream_t*>(&c->tcp), on_shutdown) != 0) {
    delete req;
    uv_close(reinterpret_cast<uv_handle_t*>(&c->tcp), on_closed);
  }
}

void on_alloc(uv_handle_t*, std::size_t, uv_buf_t* buf) {
  buf->base = static_cast<char*>(std::malloc(kReadBytes));
  buf->len = kReadBytes;
}

void on_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf);

void on_write(uv_write_t* req, int status) {
  auto* w = reinterpret_cast<WriteReq*>(req);
  uv_stream_t* stream = req->handle;
  Conn* c = static_cast<Conn*>(stream->data);
  std::free(w->base);
  delete w;
  if (status != 0) return end_conn(c);
  if (c->paused && !c->ended && uv_stream_get_write_queue_size(stream) <= kLowWater) {
    c->paused = false;
    uv_read_start(stream, on_alloc, on_read);
  }
}

void on_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
  Conn* c = static_cast<Conn*>(stream->data);
  if (nread <= 0) {
    std::free(buf->base);
    if (nread < 0) end_conn(c);
    return;
  }
  c->server->bytes += static_cast<unsigned long long>(nread);
  auto* w = new WriteReq;
  w->base = buf->base;
  const uv_buf_t out = uv_buf_init(buf->base, static_cast<unsigned int>(nread));
  if (uv_write(&w->req, stream, &out, 1, on_write) != 0) {
    std::free(w->base);
    delete w;
    return end_conn(c);
  }
  if (uv_stream_get_write_queue_size(stream) > kHighWater) {
    c->paused = true;
    uv_read_stop(stream);
  }
}

void on_connection(uv_stream_t* listener, int status) {
  if (status != 0) return;
  auto* s = static_cast<Server*>(listener->data);
  auto* c = new Conn;
  c->server = s;
  uv_tcp_init(s->loop, &c->tcp);
  c->tcp.data = c;
  if (uv_accept(listener, reinterpret_cast<uv_stream_t*>(&c->tcp)) != 0) {
    c->ended = true;
    ++s->conns_left;  // on_closed counts it down again
    uv_close(reinterpret_cast<uv_handle_t*>(&c->tcp), on_closed);
    return;
  }
  uv_read_start(reinterpret_cast<uv_stream_t*>(&c->tcp), on_alloc, on_read);
}

}  // namespace

int run_bare_echo_server(const char* port_file, int conns) {
  Server s;
  s.loop = uv_default_loop();
  s.conns_left = conns;
  uv_tcp_init(s.loop, &s.listener);
  s.listener.data = &s;
  sockaddr_in addr{};
  uv_ip4_addr("127.0.0.1", 0, &addr);
  if (uv_tcp_bind(&s.listener, reinterpret_cast<const sockaddr*>(&addr), 0) != 0 ||
      uv_listen(reinterpret_cast<uv_stream_t*>(&s.listener), 128, on_connection) != 0) {
    std::fprintf(stderr, "bare echo: cannot listen on 127.0.0.1\n");
    return 1;
  }
  sockaddr_storage bound{};
  int len = sizeof bound;
  uv_tcp_getsockname(&s.listener, reinterpret_cast<sockaddr*>(&bound), &len);
  const auto port = ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  if (!write_port_file(port_file, port)) return 1;
  uv_run(s.loop, UV_RUN_DEFAULT);
  uv_loop_close(s.loop);
  std::printf("{\"bench\":\"bare_echo_server\",\"bytes\":%llu}\n", s.bytes);
  return 0;
}
