#include "sioconf/io/uv.h"

#include <arpa/inet.h>

#include <climits>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "uv_loop_state.h"

namespace sioconf::detail {
namespace {

constexpr std::size_t kReadBufferBytes = 64 * 1024;
constexpr int kListenBacklog = 128;

std::string address_text(const sockaddr_storage& address) {
  char ip[INET6_ADDRSTRLEN] = {};
  if (address.ss_family == AF_INET) {
    sockaddr_in v4{};
    std::memcpy(&v4, &address, sizeof v4);
    uv_ip4_name(&v4, ip, sizeof ip);
    return std::string(ip) + ":" + std::to_string(ntohs(v4.sin_port));
  }
  if (address.ss_family == AF_INET6) {
    sockaddr_in6 v6{};
    std::memcpy(&v6, &address, sizeof v6);
    uv_ip6_name(&v6, ip, sizeof ip);
    return "[" + std::string(ip) + "]:" + std::to_string(ntohs(v6.sin6_port));
  }
  return "?";
}

// A libuv stream, TCP or a pipe to a child process, and the close protocol that listeners and
// connections share. Its owner (the Listener or Transport handed out) may let go before or after
// the handle closed; the memory goes when both happened, because libuv needs the handle until its
// close callback.
class StreamHandle : public UvResource {
 public:
  using UvResource::UvResource;

  /// `type` is UV_TCP or UV_NAMED_PIPE.
  bool init(uv_handle_type type) noexcept {
    const int rc = type == UV_TCP ? uv_tcp_init(&state_->loop, &any_.tcp) : uv_pipe_init(&state_->loop, &any_.pipe, 0);
    if (rc != 0) return false;
    any_.handle.data = this;
    return true;
  }

  void adopt() noexcept { has_owner_ = true; }

  void close(std::function<void()> done) {
    if (state_ == nullptr) return;  // the loop is gone, and with it every callback
    if (closed_) {
      if (done) state_->post(std::move(done));
      return;
    }
    if (done) close_dones_.push_back(std::move(done));
    begin_close();
  }

  /// The owner let go: no callback of it may run any more.
  void release() noexcept {
    has_owner_ = false;
    if (closed_) {
      delete this;
      return;
    }
    detach_and_close();
  }

  void detach_and_close() noexcept {
    detached_ = true;
    begin_close();
  }

  void close_for_loop_end() noexcept override { detach_and_close(); }

  uv_handle_t* handle() noexcept { return &any_.handle; }
  uv_stream_t* stream() noexcept { return &any_.stream; }
  uv_tcp_t* tcp() noexcept { return &any_.tcp; }
  uv_pipe_t* pipe() noexcept { return &any_.pipe; }
  /// The next close is a reset (io::Transport::reset).
  void reset_on_close() noexcept { reset_ = true; }

 protected:
  bool open() const noexcept { return state_ != nullptr && !closing_; }

  // A uv_tcp_t and a uv_pipe_t both begin with the fields of a uv_stream_t, which begins with those
  // of a uv_handle_t (libuv's own uv_any_handle is such a union): each view names the same handle.
  union AnyStream {
    uv_handle_t handle;
    uv_stream_t stream;
    uv_tcp_t tcp;
    uv_pipe_t pipe;
  };
  AnyStream any_{};
  bool detached_ = false;
  bool closing_ = false;

 private:
  void begin_close() noexcept {
    if (closing_ || state_ == nullptr) return;
    closing_ = true;
    // uv_tcp_close_reset closes with SO_LINGER 0 (an RST); it refuses a handle whose shutdown is
    // under way, which then closes as usual. A pipe has no reset: it closes.
    if (reset_ && any_.handle.type == UV_TCP && uv_tcp_close_reset(tcp(), on_close) == 0) return;
    uv_close(handle(), on_close);
  }

  static void on_close(uv_handle_t* handle) {
    auto* self = static_cast<StreamHandle*>(handle->data);
    // By index: a done may call close() again, which appends.
    for (std::size_t i = 0; i < self->close_dones_.size() && !self->detached_; ++i) {
      std::function<void()> done = std::move(self->close_dones_[i]);
      done();
    }
    self->close_dones_.clear();
    self->closed_ = true;
    if (!self->has_owner_) delete self;
  }

  std::vector<std::function<void()>> close_dones_;
  bool closed_ = false;
  bool reset_ = false;
  bool has_owner_ = false;
};

template <class Handle, class... Args>
Handle* make_handle(io::UvLoopState& state, uv_handle_type type, Args&&... args) {
  auto* handle = new Handle(state, std::forward<Args>(args)...);
  if (!handle->init(type)) {
    delete handle;
    return nullptr;
  }
  return handle;
}

// A connection, or a pipe to a child process: the io::Transport contract on any uv_stream_t.
class ByteStream final : public StreamHandle {
 public:
  using StreamHandle::StreamHandle;

  static ByteStream* of(uv_handle_t* handle) noexcept {
    return static_cast<ByteStream*>(static_cast<StreamHandle*>(handle->data));
  }

  void set_events(io::TransportEvents* events) noexcept { events_ = events; }
  const std::string& peer() const noexcept { return peer_; }
  void set_peer(std::string peer) noexcept { peer_ = std::move(peer); }

  void learn_peer() {
    sockaddr_storage address{};
    int length = sizeof address;
    if (uv_tcp_getpeername(tcp(), reinterpret_cast<sockaddr*>(&address), &length) == 0) {
      peer_ = address_text(address);
    }
  }

  void read_start() {
    if (!open() || read_ended_) return;
    if (!state_->read_buffer) state_->read_buffer = std::make_unique_for_overwrite<std::uint8_t[]>(kReadBufferBytes);
    const int rc = uv_read_start(stream(), on_alloc, on_read);
    if (rc == 0 || rc == UV_EALREADY) return;
    // libuv refused a stream we take for readable: report it the way a failed read would be.
    read_ended_ = true;
    state_->post([state = state_, id = id_] {
      const auto it = state->resources.find(id);
      if (it != state->resources.end()) static_cast<ByteStream*>(it->second)->report_read_error();
    });
  }

  void read_stop() {
    if (open()) uv_read_stop(stream());
  }

  void write(ByteView bytes, io::Completion done) {
    if (state_ == nullptr) return;
    if (closing_ || shut_) return complete_later(std::move(done), Errc::io_closed);
    // uv_buf_t counts in unsigned int; Limits keep writes far below.
    if (bytes.size() > UINT_MAX) return complete_later(std::move(done), Errc::io_write_failed);
    auto request = std::make_unique<WriteRequest>();
    request->stream = this;
    request->done = std::move(done);
    request->bytes = std::make_unique_for_overwrite<std::uint8_t[]>(bytes.size());
    if (!bytes.empty()) std::memcpy(request->bytes.get(), bytes.data(), bytes.size());
    request->req.data = request.get();
    const uv_buf_t buffer =
        uv_buf_init(reinterpret_cast<char*>(request->bytes.get()), static_cast<unsigned int>(bytes.size()));
    if (uv_write(&request->req, stream(), &buffer, 1, on_write) != 0) {
      return complete_later(std::move(request->done), Errc::io_write_failed);
    }
    request.release();
  }

  void shutdown(io::Completion done) {
    if (state_ == nullptr) return;
    if (closing_ || shut_) return complete_later(std::move(done), Errc::io_closed);
    shut_ = true;
    auto request = std::make_unique<ShutdownRequest>();
    request->stream = this;
    request->done = std::move(done);
    request->req.data = request.get();
    if (uv_shutdown(&request->req, stream(), on_shutdown) != 0) {
      return complete_later(std::move(request->done), Errc::io_shutdown_failed);
    }
    request.release();
  }

  void connect(const sockaddr_in& address, io::ConnectHandler done);

 private:
  struct WriteRequest {
    uv_write_t req{};
    ByteStream* stream = nullptr;
    io::Completion done;
    std::unique_ptr<std::uint8_t[]> bytes;
  };
  struct ShutdownRequest {
    uv_shutdown_t req{};
    ByteStream* stream = nullptr;
    io::Completion done;
  };
  struct ConnectRequest {
    uv_connect_t req{};
    ByteStream* stream = nullptr;
    io::ConnectHandler done;
  };

  // libuv cancels a closing handle's requests with UV_ECANCELED before its close callback, which
  // is what puts io_cancelled completions ahead of close's done.
  static Errc request_result(int status, Errc failure) noexcept {
    if (status == 0) return Errc::none;
    return status == UV_ECANCELED ? Errc::io_cancelled : failure;
  }

  void complete_later(io::Completion done, Errc result) {
    if (done) state_->post([done = std::move(done), result] { done(result); });
  }

  void report_read_error() {
    if (!detached_ && !closing_ && events_ != nullptr) events_->on_error(Errc::io_reset);
  }

  static void on_alloc(uv_handle_t* handle, std::size_t, uv_buf_t* buffer) {
    ByteStream* self = of(handle);
    *buffer = uv_buf_init(reinterpret_cast<char*>(self->state_->read_buffer.get()), kReadBufferBytes);
  }

  static void on_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buffer) {
    ByteStream* self = of(reinterpret_cast<uv_handle_t*>(stream));
    if (nread == 0 || self->detached_) return;
    if (nread > 0) {
      if (self->events_ != nullptr) {
        self->events_->on_read(
            ByteView(reinterpret_cast<const std::uint8_t*>(buffer->base), static_cast<std::size_t>(nread)));
      }
      return;
    }
    if (self->read_ended_) return;
    self->read_ended_ = true;
    uv_read_stop(stream);
    if (self->events_ == nullptr) return;
    if (nread == UV_EOF) {
      self->events_->on_eof();
    } else {
      self->events_->on_error(Errc::io_reset);
    }
  }

  static void on_write(uv_write_t* req, int status) {
    std::unique_ptr<WriteRequest> request(static_cast<WriteRequest*>(req->data));
    if (request->stream->detached_ || !request->done) return;
    request->done(request_result(status, Errc::io_write_failed));
  }

  static void on_shutdown(uv_shutdown_t* req, int status) {
    std::unique_ptr<ShutdownRequest> request(static_cast<ShutdownRequest*>(req->data));
    if (request->stream->detached_ || !request->done) return;
    request->done(request_result(status, Errc::io_shutdown_failed));
  }

  static void on_connect(uv_connect_t* req, int status);

  io::TransportEvents* events_ = nullptr;
  std::string peer_;
  bool read_ended_ = false;  // on_eof or on_error was delivered
  bool shut_ = false;
};

class UvTransport final : public io::Transport {
 public:
  explicit UvTransport(ByteStream* stream) noexcept : stream_(stream) { stream_->adopt(); }
  ~UvTransport() override { stream_->release(); }
  UvTransport(const UvTransport&) = delete;
  UvTransport& operator=(const UvTransport&) = delete;

  void set_events(io::TransportEvents* events) noexcept override { stream_->set_events(events); }
  void read_start() override { stream_->read_start(); }
  void read_stop() override { stream_->read_stop(); }
  void write(ByteView bytes, io::Completion done) override { stream_->write(bytes, std::move(done)); }
  void shutdown(io::Completion done) override { stream_->shutdown(std::move(done)); }
  void close(std::function<void()> done) override { stream_->close(std::move(done)); }
  void reset(std::function<void()> done) override {
    stream_->reset_on_close();
    stream_->close(std::move(done));
  }
  std::string peer() const override { return stream_->peer(); }

 private:
  ByteStream* stream_;
};

void ByteStream::connect(const sockaddr_in& address, io::ConnectHandler done) {
  auto request = std::make_unique<ConnectRequest>();
  request->stream = this;
  request->done = std::move(done);
  request->req.data = request.get();
  if (uv_tcp_connect(&request->req, tcp(), reinterpret_cast<const sockaddr*>(&address), on_connect) != 0) {
    state_->post([done = std::move(request->done)] { done(Errc::io_connect_failed, nullptr); });
    detach_and_close();
    return;
  }
  request.release();
}

void ByteStream::on_connect(uv_connect_t* req, int status) {
  std::unique_ptr<ConnectRequest> request(static_cast<ConnectRequest*>(req->data));
  ByteStream* self = request->stream;
  if (self->detached_) return;  // the loop ends
  if (status != 0) {
    self->detach_and_close();
    request->done(Errc::io_connect_failed, nullptr);
    return;
  }
  self->learn_peer();
  // Small writes go out as they are made (no Nagle delay), on both ends of a connection: two
  // frames written back to back must not wait for the peer's delayed ACK (40 ms on Linux), and
  // the live runner's "one byte per write" must be one segment per byte.
  uv_tcp_nodelay(self->tcp(), 1);
  request->done(Errc::none, std::make_unique<UvTransport>(self));
}

class ListenHandle final : public StreamHandle {
 public:
  ListenHandle(io::UvLoopState& state, io::AcceptHandler on_accept)
      : StreamHandle(state), on_accept_(std::move(on_accept)) {}

  bool listen(const sockaddr_in& address) {
    if (uv_tcp_bind(tcp(), reinterpret_cast<const sockaddr*>(&address), 0) != 0) return false;
    // libuv keeps bind's EADDRINUSE until uv_listen, so this is where a busy port shows.
    if (uv_listen(stream(), kListenBacklog, on_connection) != 0) return false;
    sockaddr_storage bound{};
    int length = sizeof bound;
    if (uv_tcp_getsockname(tcp(), reinterpret_cast<sockaddr*>(&bound), &length) != 0) return false;
    sockaddr_in v4{};
    std::memcpy(&v4, &bound, sizeof v4);
    port_ = ntohs(v4.sin_port);
    return true;
  }

  std::uint16_t port() const noexcept { return port_; }

 private:
  static void on_connection(uv_stream_t* server, int status) {
    auto* self = static_cast<ListenHandle*>(static_cast<StreamHandle*>(server->data));
    if (self->detached_ || self->closing_) return;
    if (status != 0) return self->on_accept_(Errc::io_accept_failed, nullptr);
    ByteStream* connection = make_handle<ByteStream>(*self->state_, UV_TCP);
    if (connection == nullptr) return self->on_accept_(Errc::io_accept_failed, nullptr);
    if (uv_accept(server, connection->stream()) != 0) {
      connection->detach_and_close();
      // A failed uv_accept leaves the server unwatched; listening again rearms it.
      uv_listen(server, kListenBacklog, on_connection);
      return self->on_accept_(Errc::io_accept_failed, nullptr);
    }
    connection->learn_peer();
    uv_tcp_nodelay(connection->tcp(), 1);  // as for connect(): no Nagle delay on small writes
    self->on_accept_(Errc::none, std::make_unique<UvTransport>(connection));
  }

  io::AcceptHandler on_accept_;
  std::uint16_t port_ = 0;
};

class UvListener final : public io::Listener {
 public:
  explicit UvListener(ListenHandle* handle) noexcept : handle_(handle) { handle_->adopt(); }
  ~UvListener() override { handle_->release(); }
  UvListener(const UvListener&) = delete;
  UvListener& operator=(const UvListener&) = delete;

  std::uint16_t port() const noexcept override { return handle_->port(); }
  void close(std::function<void()> done) override { handle_->close(std::move(done)); }

 private:
  ListenHandle* handle_;
};

}  // namespace

uv_pipe_t* make_pipe(io::UvLoopState& state) {
  ByteStream* stream = make_handle<ByteStream>(state, UV_NAMED_PIPE);
  return stream == nullptr ? nullptr : stream->pipe();
}

io::TransportPtr pipe_transport(uv_pipe_t* pipe, std::string peer) {
  ByteStream* stream = ByteStream::of(reinterpret_cast<uv_handle_t*>(pipe));
  stream->set_peer(std::move(peer));
  return std::make_unique<UvTransport>(stream);
}

void close_unowned_pipe(uv_pipe_t* pipe) noexcept {
  ByteStream::of(reinterpret_cast<uv_handle_t*>(pipe))->detach_and_close();
}

}  // namespace sioconf::detail

namespace sioconf::io {

ListenerPtr UvLoop::listen(const std::string& host, std::uint16_t port, AcceptHandler on_accept, Errc& error) {
  error = Errc::io_listen_failed;
  sockaddr_in address{};
  if (uv_ip4_addr(host.c_str(), port, &address) != 0) return nullptr;
  auto* handle = detail::make_handle<detail::ListenHandle>(*state_, UV_TCP, std::move(on_accept));
  if (handle == nullptr) return nullptr;
  if (!handle->listen(address)) {
    handle->detach_and_close();
    return nullptr;
  }
  error = Errc::none;
  return std::make_unique<detail::UvListener>(handle);
}

void UvLoop::connect(const std::string& host, std::uint16_t port, ConnectHandler done) {
  UvLoopState& state = *state_;
  sockaddr_in address{};
  detail::ByteStream* stream = nullptr;
  if (uv_ip4_addr(host.c_str(), port, &address) != 0 ||
      (stream = detail::make_handle<detail::ByteStream>(state, UV_TCP)) == nullptr) {
    state.post([done = std::move(done)] { done(Errc::io_connect_failed, nullptr); });
    return;
  }
  stream->connect(address, std::move(done));
}

}  // namespace sioconf::io
