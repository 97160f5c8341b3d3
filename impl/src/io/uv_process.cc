#include "sioconf/io/uv.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "uv_loop_state.h"

namespace sioconf::detail {

// A uv_process_t. Like a stream's handle, its memory goes when both its owner (the Process) let
// go and libuv's close callback ran. The handle closes only once the child was reaped: a child
// killed because its Process or loop went away is still waited for, so it leaves no zombie.
class UvProcessHandle final : public UvResource {
 public:
  UvProcessHandle(io::UvLoopState& state, io::UvLoop::ExitHandler on_exit)
      : UvResource(state), on_exit_(std::move(on_exit)) {}

  /// uv_spawn; on failure the handle closes (and is freed) by itself.
  int spawn(uv_process_options_t& options) noexcept {
    options.exit_cb = on_exit;
    process_.data = this;
    const int rc = uv_spawn(&state_->loop, &process_, &options);
    if (rc != 0) {
      // uv_spawn registered the handle with the loop even though no child runs: it must close.
      exited_ = true;
      begin_close();
      return rc;
    }
    pid_ = process_.pid;
    return 0;
  }

  void adopt() noexcept { has_owner_ = true; }
  int pid() const noexcept { return pid_; }
  bool exited() const noexcept { return exited_; }

  bool kill(int signal) noexcept {
    // Once reaped, the pid (and the group's id) may be reused: never signal it then.
    if (state_ == nullptr || exited_) return false;
    return ::kill(-pid_, signal) == 0;
  }

  /// The owner let go: its callback never runs, and a running child is killed.
  void release() noexcept {
    io::UvLoop::ExitHandler dropped = std::move(on_exit_);  // its captures go now
    has_owner_ = false;
    if (closed_) {
      delete this;
      return;
    }
    detach();
  }

  void close_for_loop_end() noexcept override { detach(); }

 private:
  void detach() noexcept {
    detached_ = true;
    // The exit, prompt after SIGKILL, closes the handle; the loop's destructor runs until it did.
    if (!exited_) ::kill(-pid_, SIGKILL);
  }

  void begin_close() noexcept {
    if (closing_ || state_ == nullptr) return;
    closing_ = true;
    uv_close(reinterpret_cast<uv_handle_t*>(&process_), on_close);
  }

  static void on_exit(uv_process_t* process, std::int64_t status, int signal) {
    auto* self = static_cast<UvProcessHandle*>(process->data);
    self->exited_ = true;
    self->begin_close();
    // Moved out first: the handler may destroy the Process, and with it what it captured.
    io::UvLoop::ExitHandler handler = std::move(self->on_exit_);
    if (!self->detached_ && handler) handler(io::UvLoop::ProcessExit{.status = status, .signal = signal});
  }

  static void on_close(uv_handle_t* handle) {
    auto* self = static_cast<UvProcessHandle*>(handle->data);
    self->closed_ = true;
    if (!self->has_owner_) delete self;
  }

  uv_process_t process_{};
  io::UvLoop::ExitHandler on_exit_;
  int pid_ = 0;
  bool exited_ = false;  // reaped (or never started)
  bool detached_ = false;
  bool closing_ = false;
  bool closed_ = false;
  bool has_owner_ = false;
};

namespace {

// libuv writes with write(2), which raises SIGPIPE when the reading end is gone: at its default
// action that ends this process, where the write should fail with EPIPE (io_write_failed). A
// handler or an ignore someone set is theirs to keep.
void ignore_default_sigpipe() noexcept {
  struct sigaction current {};
  if (sigaction(SIGPIPE, nullptr, &current) != 0) return;
  if ((current.sa_flags & SA_SIGINFO) == 0 && current.sa_handler == SIG_DFL) std::signal(SIGPIPE, SIG_IGN);
}

// Ours, with `extra` entries replacing ours of the same name.
std::vector<std::string> child_environment(const std::vector<std::string>& extra) {
  auto name = [](std::string_view entry) { return entry.substr(0, entry.find('=')); };
  std::vector<std::string> env;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string_view ours(*entry);
    const bool replaced =
        std::any_of(extra.begin(), extra.end(), [&](const std::string& theirs) { return name(theirs) == name(ours); });
    if (!replaced) env.emplace_back(ours);
  }
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

// The null-terminated char* array libuv takes; it only reads the strings.
std::vector<char*> c_strings(const std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  pointers.reserve(strings.size() + 1);
  for (const std::string& s : strings) pointers.push_back(const_cast<char*>(s.c_str()));
  pointers.push_back(nullptr);
  return pointers;
}

}  // namespace
}  // namespace sioconf::detail

namespace sioconf::io {

UvLoop::Process::Process(detail::UvProcessHandle* handle) noexcept : handle_(handle) { handle_->adopt(); }
UvLoop::Process::~Process() { handle_->release(); }
int UvLoop::Process::pid() const noexcept { return handle_->pid(); }
bool UvLoop::Process::exited() const noexcept { return handle_->exited(); }
bool UvLoop::Process::kill(int signal) noexcept { return handle_->kill(signal); }

std::unique_ptr<UvLoop::Process> UvLoop::spawn(const Command& command, ExitHandler on_exit, Errc& error) {
  error = Errc::io_spawn_failed;
  if (command.argv.empty()) return nullptr;
  UvLoopState& state = *state_;
  detail::ignore_default_sigpipe();

  uv_pipe_t* pipes[3] = {detail::make_pipe(state), detail::make_pipe(state), detail::make_pipe(state)};
  auto close_pipes = [&pipes] {
    for (uv_pipe_t* pipe : pipes) {
      if (pipe != nullptr) detail::close_unowned_pipe(pipe);
    }
  };
  if (std::find(std::begin(pipes), std::end(pipes), nullptr) != std::end(pipes)) {
    close_pipes();
    return nullptr;
  }
  // Readable and writable as the child sees them: it reads its stdin, writes stdout and stderr.
  uv_stdio_container_t stdio[3] = {};
  for (int fd = 0; fd < 3; ++fd) {
    stdio[fd].flags = static_cast<uv_stdio_flags>(UV_CREATE_PIPE | (fd == 0 ? UV_READABLE_PIPE : UV_WRITABLE_PIPE));
    stdio[fd].data.stream = reinterpret_cast<uv_stream_t*>(pipes[fd]);
  }
  std::vector<char*> args = detail::c_strings(command.argv);
  std::vector<std::string> env_strings;
  std::vector<char*> env;
  if (!command.env.empty()) {
    env_strings = detail::child_environment(command.env);
    env = detail::c_strings(env_strings);
  }
  uv_process_options_t options{};
  options.file = args[0];
  options.args = args.data();
  options.env = env.empty() ? nullptr : env.data();  // null: ours
  options.cwd = command.cwd.empty() ? nullptr : command.cwd.c_str();
  // setsid() in the child: it leads a process group of its own, which kill() signals whole.
  options.flags = static_cast<unsigned int>(UV_PROCESS_DETACHED);
  options.stdio_count = 3;
  options.stdio = stdio;

  auto* handle = new detail::UvProcessHandle(state, std::move(on_exit));
  if (handle->spawn(options) != 0) {
    close_pipes();
    return nullptr;
  }
  std::unique_ptr<Process> process(new Process(handle));
  const std::string peer = "process:" + std::to_string(handle->pid()) + ":";
  process->stdin_pipe = detail::pipe_transport(pipes[0], peer + "stdin");
  process->stdout_pipe = detail::pipe_transport(pipes[1], peer + "stdout");
  process->stderr_pipe = detail::pipe_transport(pipes[2], peer + "stderr");
  error = Errc::none;
  return process;
}

}  // namespace sioconf::io
