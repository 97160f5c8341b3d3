#include "sioconf/io/uv.h"

#include <cassert>
#include <stdexcept>
#include <string>
#include <utility>

#include "uv_loop_state.h"

namespace sioconf::io {
namespace {

UvLoopState& state_of(uv_loop_t* loop) { return *static_cast<UvLoopState*>(loop->data); }

void run_posted_tasks(uv_idle_t* pump) {
  UvLoopState& s = state_of(pump->loop);
  // Tasks posted by this batch go to `tasks` and run on a later turn, so a task that keeps
  // posting cannot starve I/O and timers.
  s.draining.swap(s.tasks);
  uv_idle_stop(pump);
  for (Task& task : s.draining) {
    Task run = std::move(task);  // its captures die as soon as it ran
    run();
  }
  s.draining.clear();
}

void free_timer(uv_handle_t* handle) { delete static_cast<detail::UvTimer*>(handle->data); }

void fire_timer(uv_timer_t* handle) {
  auto* timer = static_cast<detail::UvTimer*>(handle->data);
  state_of(handle->loop).timers.erase(timer->id);
  Task task = std::move(timer->task);
  uv_close(reinterpret_cast<uv_handle_t*>(handle), free_timer);
  task();
}

}  // namespace

void UvLoopState::post(Task task) {
  if (ending) return;
  tasks.push_back(std::move(task));
  if (!uv_is_active(reinterpret_cast<uv_handle_t*>(&task_pump))) {
    uv_idle_start(&task_pump, run_posted_tasks);
  }
}

UvLoop::UvLoop() : state_(std::make_unique<UvLoopState>()) {
  const int rc = uv_loop_init(&state_->loop);
  if (rc != 0) throw std::runtime_error(std::string("uv_loop_init: ") + uv_strerror(rc));
  state_->loop.data = state_.get();
  uv_idle_init(&state_->loop, &state_->task_pump);
}

UvLoop::~UvLoop() {
  UvLoopState& s = *state_;
  s.ending = true;
  // Owner callbacks are dropped before any handle closes, so that whatever their captures own is
  // released while the loop can still close it.
  std::vector<Task> dropped = std::move(s.tasks);
  for (auto& [id, timer] : s.timers) {
    dropped.push_back(std::move(timer->task));
    uv_close(reinterpret_cast<uv_handle_t*>(&timer->handle), free_timer);
  }
  s.timers.clear();
  dropped.clear();
  uv_close(reinterpret_cast<uv_handle_t*>(&s.task_pump), nullptr);

  std::vector<detail::UvResource*> open;
  open.reserve(s.resources.size());
  for (auto& [id, resource] : s.resources) open.push_back(resource);
  for (detail::UvResource* resource : open) resource->close_for_loop_end();

  // A stop() left over from before would make one uv_run return at once.
  while (uv_run(&s.loop, UV_RUN_DEFAULT) != 0) {
  }
  for (auto& [id, resource] : s.resources) resource->forget_loop();
  s.resources.clear();
  [[maybe_unused]] const int rc = uv_loop_close(&s.loop);
  assert(rc == 0 && "a libuv handle outlived UvLoop");
}

std::uint64_t UvLoop::now() const noexcept { return uv_now(&state_->loop); }

void UvLoop::post(Task task) { state_->post(std::move(task)); }

TimerId UvLoop::start_timer(std::uint64_t delay_ms, Task task) {
  UvLoopState& s = *state_;
  if (s.ending) return 0;
  auto* timer = new detail::UvTimer;
  if (uv_timer_init(&s.loop, &timer->handle) != 0) {
    delete timer;
    return 0;
  }
  timer->handle.data = timer;
  if (uv_timer_start(&timer->handle, fire_timer, delay_ms, 0) != 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(&timer->handle), free_timer);
    return 0;
  }
  timer->id = ++s.last_timer_id;
  timer->task = std::move(task);
  s.timers.emplace(timer->id, timer);
  return timer->id;
}

bool UvLoop::cancel_timer(TimerId id) noexcept {
  UvLoopState& s = *state_;
  const auto it = s.timers.find(id);
  if (it == s.timers.end()) return false;
  detail::UvTimer* timer = it->second;
  s.timers.erase(it);
  uv_close(reinterpret_cast<uv_handle_t*>(&timer->handle), free_timer);
  // Destroyed here, not in the close callback: a capture's destructor may call back into the loop.
  Task dropped = std::move(timer->task);
  return true;
}

std::size_t UvLoop::pending_timers() const noexcept { return state_->timers.size(); }

void UvLoop::run() { uv_run(&state_->loop, UV_RUN_DEFAULT); }

bool UvLoop::run(std::uint64_t timeout_ms) {
  struct Watchdog {
    uv_timer_t timer{};
    bool fired = false;
  };
  auto* dog = new Watchdog;
  uv_timer_init(&state_->loop, &dog->timer);
  dog->timer.data = dog;
  uv_timer_start(
      &dog->timer,
      [](uv_timer_t* t) {
        static_cast<Watchdog*>(t->data)->fired = true;
        uv_stop(t->loop);
      },
      timeout_ms, 0);
  uv_unref(reinterpret_cast<uv_handle_t*>(&dog->timer));  // it must not keep the loop alive
  uv_run(&state_->loop, UV_RUN_DEFAULT);
  const bool finished = !dog->fired;
  uv_close(reinterpret_cast<uv_handle_t*>(&dog->timer), [](uv_handle_t* h) { delete static_cast<Watchdog*>(h->data); });
  uv_run(&state_->loop, UV_RUN_NOWAIT);  // lets the close callback free it
  return finished;
}

void UvLoop::stop() noexcept { uv_stop(&state_->loop); }

}  // namespace sioconf::io
