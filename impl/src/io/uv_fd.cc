// UvLoop::open_fd: a transport over a descriptor this process already holds (uv.h).
#include <sys/stat.h>
#include <unistd.h>
#include <uv.h>

#include <string>

#include "sioconf/io/uv.h"
#include "uv_loop_state.h"

namespace sioconf::io {

TransportPtr UvLoop::open_fd(int fd, Errc& error) {
  error = Errc::io_connect_failed;
  // Only what epoll can watch: a pipe, a socket or a terminal. libuv would take /dev/null or a
  // regular file too, and then abort when epoll refuses it.
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !(S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) || ::isatty(fd) == 1)) return nullptr;
  uv_pipe_t* pipe = detail::make_pipe(*state_);
  if (pipe == nullptr) return nullptr;
  // uv_pipe_open takes pipes, sockets and terminals (not regular files) and makes the descriptor
  // non-blocking; the pipe's handle is then a stream like a child's pipes.
  if (uv_pipe_open(pipe, fd) != 0) {
    detail::close_unowned_pipe(pipe);
    return nullptr;
  }
  error = Errc::none;
  return detail::pipe_transport(pipe, "fd:" + std::to_string(fd));
}

}  // namespace sioconf::io
