// Transports to an implementation under test (transport.h). The child adapter runs on its own
// libuv loop, driven synchronously: write one request line, then run the loop until an answer
// line, the end of stdout, the timer or the line cap decides.
#include "transport.h"

#include <uv.h>

#include <csignal>
#include <cstring>
#include <utility>

namespace sioconf::cli {

const char* failure_name(Exchange::Failure failure) {
  switch (failure) {
    case Exchange::Failure::none: return "none";
    case Exchange::Failure::crashed: return "crashed";
    case Exchange::Failure::killed: return "killed";
    case Exchange::Failure::timeout: return "timeout";
    case Exchange::Failure::garbage: return "garbage";
    case Exchange::Failure::wrong_id: return "wrong_id";
    case Exchange::Failure::flood: return "flood";
    case Exchange::Failure::not_started: return "not_started";
  }
  return "?";
}

namespace {

class InProcess final : public Transport {
 public:
  Exchange hello() override {
    return {Exchange::Failure::none, handle_request({{"op", "hello"}, {"protocol", 1}}), {}, {}};
  }
  Exchange request(const json& request) override { return {Exchange::Failure::none, handle_request(request), {}, {}}; }
  std::string command() const override { return "the reference, in process"; }
};

constexpr std::size_t kCaseStderrBytes = 4096;            // kept per request
constexpr std::size_t kTailStderrBytes = 8192;            // kept over the whole run
constexpr std::chrono::milliseconds kGraceAfterEof{200};  // to learn a crashed adapter's status
constexpr std::chrono::milliseconds kGraceAfterBye{1000};

std::string clip(const std::string& s, std::size_t n = 200) {
  return s.size() <= n ? s : s.substr(0, n) + "...(" + std::to_string(s.size()) + " bytes)";
}

// An answer as JSON, with what is nested deeper than kMaxAnswerDepth left out: copying, comparing
// and printing JSON recurse, and an adapter's answer must not be able to overflow the runner's
// stack. An answer that lost something says so in "$truncated" (and so no longer matches).
constexpr int kMaxAnswerDepth = 512;

json parse_bounded(const std::string& text) {
  bool cut = false;
  json answer = json::parse(text, [&cut](int depth, json::parse_event_t event, json&) {
    if (depth > kMaxAnswerDepth &&
        (event == json::parse_event_t::object_start || event == json::parse_event_t::array_start)) {
      cut = true;
      return false;
    }
    return true;
  });
  if (cut && answer.is_object())
    answer["$truncated"] = "values nested deeper than " + std::to_string(kMaxAnswerDepth) + " levels were left out";
  return answer;
}

class ChildAdapter final : public Transport {
 public:
  ChildAdapter(std::string command, ChildOptions options) : command_(std::move(command)), options_(options) {
    // A write to an adapter that has died must fail with EPIPE, not kill the runner.
    std::signal(SIGPIPE, SIG_IGN);
    uv_loop_init(&loop_);
    uv_timer_init(&loop_, &timer_);
    timer_.data = this;
  }

  ~ChildAdapter() override {
    kill();
    uv_close(reinterpret_cast<uv_handle_t*>(&timer_), nullptr);
    uv_run(&loop_, UV_RUN_DEFAULT);
    uv_loop_close(&loop_);
  }

  Exchange hello() override {
    if (!running_ && !start()) return start_failure_;
    return {Exchange::Failure::none, hello_, {}, {}};
  }

  Exchange request(const json& request) override {
    if (!running_ && !start()) return start_failure_;
    err_case_.clear();
    Exchange ex = exchange(request.dump(-1, ' ', false, json::error_handler_t::replace), request.value("id", json()));
    if (ex.failure != Exchange::Failure::none) kill();
    return ex;
  }

  void stop() override {
    if (!running_) return;
    write_line(json{{"op", "bye"}}.dump());
    uv_close(reinterpret_cast<uv_handle_t*>(&stdin_), nullptr);  // EOF for adapters that ignore bye
    stdin_open_ = false;
    run_until([&] { return exited_; }, kGraceAfterBye);
    kill();
  }

  std::string command() const override { return command_; }
  int restarts() const override { return starts_ > 1 ? starts_ - 1 : 0; }
  std::string stderr_tail() const override { return err_tail_; }

 private:
  // Spawns the adapter and exchanges hello. On failure, start_failure_ says why.
  bool start() {
    if (gave_up_) return false;  // start_failure_ says why
    if (failed_starts_ >= options_.max_failed_starts) {
      gave_up_ = true;
      start_failure_.failure = Exchange::Failure::not_started;
      start_failure_.detail = "the adapter failed to start " + std::to_string(failed_starts_) +
                              " times in a row; not trying again (" + start_failure_.detail + ")";
      return false;
    }
    ++starts_;
    out_.clear();
    err_case_.clear();
    out_eof_ = exited_ = flood_ = false;
    exit_status_ = 0;
    term_signal_ = 0;
    uv_pipe_init(&loop_, &stdin_, 0);
    uv_pipe_init(&loop_, &stdout_, 0);
    uv_pipe_init(&loop_, &stderr_, 0);
    stdin_.data = stdout_.data = stderr_.data = process_.data = this;
    uv_stdio_container_t stdio[3];
    stdio[0].flags = static_cast<uv_stdio_flags>(UV_CREATE_PIPE | UV_READABLE_PIPE);
    stdio[0].data.stream = reinterpret_cast<uv_stream_t*>(&stdin_);
    stdio[1].flags = static_cast<uv_stdio_flags>(UV_CREATE_PIPE | UV_WRITABLE_PIPE);
    stdio[1].data.stream = reinterpret_cast<uv_stream_t*>(&stdout_);
    stdio[2].flags = static_cast<uv_stdio_flags>(UV_CREATE_PIPE | UV_WRITABLE_PIPE);
    stdio[2].data.stream = reinterpret_cast<uv_stream_t*>(&stderr_);
    std::string shell = "/bin/sh", dash_c = "-c";
    char* args[] = {shell.data(), dash_c.data(), command_.data(), nullptr};
    uv_process_options_t options{};
    options.file = shell.c_str();
    options.args = args;
    options.exit_cb = on_exit;
    // Its own process group, so that a hang is killed with everything the shell started.
    options.flags = UV_PROCESS_DETACHED;
    options.stdio_count = 3;
    options.stdio = stdio;
    if (const int r = uv_spawn(&loop_, &process_, &options); r != 0) {
      for (uv_pipe_t* p : {&stdin_, &stdout_, &stderr_}) uv_close(reinterpret_cast<uv_handle_t*>(p), nullptr);
      uv_close(reinterpret_cast<uv_handle_t*>(&process_), nullptr);
      uv_run(&loop_, UV_RUN_DEFAULT);
      ++failed_starts_;
      start_failure_ = {Exchange::Failure::not_started, {}, std::string("cannot start /bin/sh: ") + uv_strerror(r), {}};
      return false;
    }
    running_ = stdin_open_ = true;
    uv_read_start(reinterpret_cast<uv_stream_t*>(&stdout_), on_alloc, on_stdout);
    uv_read_start(reinterpret_cast<uv_stream_t*>(&stderr_), on_alloc, on_stderr);
    Exchange ex = exchange(json{{"op", "hello"}, {"protocol", 1}}.dump(), json());
    if (ex.failure == Exchange::Failure::none && !ex.answer.value("ok", false)) {
      ex.failure = Exchange::Failure::garbage;
      ex.detail = "hello was not answered {\"ok\":true,...}: " + clip(ex.answer.dump());
    }
    if (ex.failure != Exchange::Failure::none) {
      kill();
      ++failed_starts_;
      ex.detail = "at start (hello): " + ex.detail;
      start_failure_ = ex;
      return false;
    }
    failed_starts_ = 0;
    hello_ = ex.answer;
    return true;
  }

  // Writes `line`, waits for one answer line and checks it is a JSON object with `id` (unless id
  // is null: hello has none).
  Exchange exchange(std::string line, const json& id) {
    Exchange ex;
    line += '\n';
    if (!write_line(std::move(line))) {
      ex.failure = Exchange::Failure::crashed;
      ex.detail = "cannot write the request: the adapter has closed its stdin";
    } else {
      std::string answer;
      ex.failure = read_line(answer, ex.detail);
      if (ex.failure == Exchange::Failure::none) {
        std::string parse_error;
        try {
          ex.answer = parse_bounded(answer);
        } catch (const json::exception& e) {
          parse_error = std::string(" (") + e.what() + ")";
          ex.answer = json();
        }
        if (!ex.answer.is_object()) {
          ex.failure = Exchange::Failure::garbage;
          ex.detail = "the answer is not a JSON object: " + clip(answer) + parse_error;
          ex.answer = json();
        } else if (!id.is_null() && ex.answer.value("id", json()) != id) {
          ex.failure = Exchange::Failure::wrong_id;
          ex.detail = "answered id " + ex.answer.value("id", json()).dump() + " to request " + id.dump();
        }
      }
    }
    ex.stderr_text = err_case_;
    return ex;
  }

  bool write_line(std::string line) {
    if (!stdin_open_) return false;
    struct Write {
      uv_write_t req;
      std::string data;
    };
    auto* w = new Write{{}, std::move(line)};
    w->req.data = w;
    const uv_buf_t buf = uv_buf_init(w->data.data(), static_cast<unsigned>(w->data.size()));
    const int r = uv_write(&w->req, reinterpret_cast<uv_stream_t*>(&stdin_), &buf, 1,
                           [](uv_write_t* req, int) { delete static_cast<Write*>(req->data); });
    if (r != 0) delete w;
    return r == 0;
  }

  Exchange::Failure read_line(std::string& line, std::string& detail) {
    bool got_line = false, timed_out = false;
    run_until(
        [&] {
          for (auto nl = out_.find('\n'); nl != std::string::npos; nl = out_.find('\n')) {
            line.assign(out_, 0, nl);
            out_.erase(0, nl + 1);
            if (!line.empty() && line.back() == '\r') line.pop_back();
            if (line.find_first_not_of(" \t") != std::string::npos) return got_line = true;  // blank: skip
          }
          return flood_ || out_eof_;
        },
        options_.timeout, &timed_out);
    if (got_line) return Exchange::Failure::none;
    if (flood_ || out_.size() > options_.max_line_bytes) {
      detail = "more than " + std::to_string(options_.max_line_bytes) + " bytes without a newline";
      return Exchange::Failure::flood;
    }
    if (timed_out) {
      detail = "no answer within " + std::to_string(options_.timeout.count()) + " ms";
      return Exchange::Failure::timeout;
    }
    // stdout ended: give the process a moment to exit by itself, for its status.
    run_until([&] { return exited_; }, kGraceAfterEof);
    if (!exited_) detail = "closed its stdout";
    else if (term_signal_ != 0)
      detail = "killed by signal " + std::to_string(term_signal_) + " (" + strsignal(term_signal_) + ")";
    else detail = "exited with status " + std::to_string(exit_status_);
    // The adapter runs under /bin/sh -c, which reports a child killed by signal N as 128 + N.
    if (exited_ && term_signal_ == 0 && exit_status_ > 128 && exit_status_ < 128 + NSIG)
      detail += " (signal " + std::to_string(exit_status_ - 128) + ", " +
                strsignal(static_cast<int>(exit_status_ - 128)) + ", as the shell reports it)";
    if (!out_.empty()) detail += " after a partial line: " + clip(out_);
    const bool signalled = exited_ && (term_signal_ != 0 || (exit_status_ > 128 && exit_status_ < 128 + NSIG));
    return signalled ? Exchange::Failure::killed : Exchange::Failure::crashed;
  }

  // Runs the loop until done() or `limit` passes (then *timed_out, if given, is set).
  template <typename Done>
  bool run_until(Done&& done, std::chrono::milliseconds limit, bool* timed_out = nullptr) {
    bool expired = false;
    timer_expired_ = &expired;
    // The loop's clock stands still while it is not running (between requests, or while another
    // adapter ran): bring it to now, or the timer would count from then and expire early.
    uv_update_time(&loop_);
    uv_timer_start(
        &timer_, [](uv_timer_t* t) { *static_cast<ChildAdapter*>(t->data)->timer_expired_ = true; },
        static_cast<std::uint64_t>(limit.count()), 0);
    bool ok = false;
    while (!(ok = done()) && !expired) uv_run(&loop_, UV_RUN_ONCE);
    uv_timer_stop(&timer_);
    timer_expired_ = nullptr;
    if (timed_out) *timed_out = expired && !ok;
    return ok;
  }

  // Kills the adapter's process group, reaps it and closes the pipes.
  void kill() {
    if (!running_) return;
    running_ = false;
    if (!exited_) {
      uv_kill(-process_.pid, SIGKILL);
      uv_process_kill(&process_, SIGKILL);
      run_until([&] { return exited_; }, std::chrono::milliseconds(5000));
    }
    if (stdin_open_) uv_close(reinterpret_cast<uv_handle_t*>(&stdin_), nullptr);
    stdin_open_ = false;
    uv_close(reinterpret_cast<uv_handle_t*>(&stdout_), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&stderr_), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&process_), nullptr);
    uv_run(&loop_, UV_RUN_DEFAULT);
  }

  static void on_alloc(uv_handle_t* handle, std::size_t, uv_buf_t* buf) {
    auto* self = static_cast<ChildAdapter*>(handle->data);
    *buf = uv_buf_init(self->read_buffer_, sizeof self->read_buffer_);
  }

  static void on_stdout(uv_stream_t* stream, ssize_t n, const uv_buf_t* buf) {
    auto* self = static_cast<ChildAdapter*>(stream->data);
    if (n < 0) {
      self->out_eof_ = true;
      uv_read_stop(stream);
      return;
    }
    self->out_.append(buf->base, static_cast<std::size_t>(n));
    // Bounded memory: past the cap without a newline, stop reading; read_line reports the flood.
    if (self->out_.size() > self->options_.max_line_bytes && self->out_.find('\n') == std::string::npos) {
      self->flood_ = true;
      uv_read_stop(stream);
    }
  }

  static void on_stderr(uv_stream_t* stream, ssize_t n, const uv_buf_t* buf) {
    auto* self = static_cast<ChildAdapter*>(stream->data);
    if (n < 0) {
      uv_read_stop(stream);
      return;
    }
    const std::string_view bytes(buf->base, static_cast<std::size_t>(n));
    if (self->err_case_.size() < kCaseStderrBytes)
      self->err_case_.append(bytes.substr(0, kCaseStderrBytes - self->err_case_.size()));
    self->err_tail_.append(bytes);
    if (self->err_tail_.size() > kTailStderrBytes) self->err_tail_.erase(0, self->err_tail_.size() - kTailStderrBytes);
  }

  static void on_exit(uv_process_t* process, std::int64_t status, int signal) {
    auto* self = static_cast<ChildAdapter*>(process->data);
    self->exited_ = true;
    self->exit_status_ = status;
    self->term_signal_ = signal;
  }

  std::string command_;
  ChildOptions options_;
  uv_loop_t loop_{};
  uv_timer_t timer_{};
  uv_process_t process_{};
  uv_pipe_t stdin_{}, stdout_{}, stderr_{};
  bool* timer_expired_ = nullptr;
  bool running_ = false, stdin_open_ = false, out_eof_ = false, exited_ = false, flood_ = false;
  std::int64_t exit_status_ = 0;
  int term_signal_ = 0;
  std::string out_, err_case_, err_tail_;
  char read_buffer_[65536];
  int starts_ = 0, failed_starts_ = 0;
  bool gave_up_ = false;
  json hello_;
  Exchange start_failure_;
};

}  // namespace

std::unique_ptr<Transport> in_process_reference() { return std::make_unique<InProcess>(); }

std::unique_ptr<Transport> child_adapter(std::string command, ChildOptions options) {
  return std::make_unique<ChildAdapter>(std::move(command), options);
}

}  // namespace sioconf::cli
