#include "sioconf/ack/emitter.h"

#include <algorithm>
#include <utility>

#include "sioconf/reserved_events.h"

namespace sioconf::ack {

struct Emitter::Record {
  ListenerId id;
  Listener listener;
  bool once;
  bool fired = false;  // once only: set just before its one call
};

namespace {

// Returns the removed record, so that the caller decides when it dies: destroying a listener runs
// its captures' destructors, which may call back into the emitter, so that happens last.
template <typename List>
typename List::value_type take_id(List& list, ListenerId id) {
  const auto it = std::find_if(list.begin(), list.end(), [id](const auto& r) { return r->id == id; });
  if (it == list.end()) return nullptr;
  typename List::value_type taken = std::move(*it);
  list.erase(it);
  return taken;
}

}  // namespace

Emitter::Emitter() = default;
Emitter::~Emitter() = default;

bool Emitter::is_reserved(std::string_view name) noexcept { return is_reserved_event_name(name); }

ListenerId Emitter::add(std::string_view name, Listener listener, bool once) {
  if (!listener) return 0;
  const ListenerId id = next_id_;
  auto record = std::make_shared<Record>(Record{id, std::move(listener), once});
  auto it = named_.find(name);
  if (it == named_.end()) it = named_.emplace(std::string(name), Named{}).first;
  Named& named = it->second;
  try {
    named.listeners.push_back(record);
    by_id_.emplace(id, &it->first);
  } catch (...) {
    take_id(named.listeners, id);
    if (named.listeners.empty()) named_.erase(it);
    throw;
  }
  ++next_id_;
  const std::size_t count = named.listeners.size();
  // Node's _addListener: warn when the count passes the maximum, once per list.
  if (max_listeners_ != 0 && count > max_listeners_ && !named.warned) {
    named.warned = true;
    ++leak_warnings_;
    if (leak_warning_) {
      const LeakWarning hook = leak_warning_;  // the hook may replace itself
      hook(name, count);
    }
  }
  return id;
}

ListenerId Emitter::on(std::string_view name, Listener listener) { return add(name, std::move(listener), false); }

ListenerId Emitter::once(std::string_view name, Listener listener) { return add(name, std::move(listener), true); }

ListenerId Emitter::on_any(Listener listener) {
  if (!listener) return 0;
  const ListenerId id = next_id_;
  any_.push_back(std::make_shared<Record>(Record{id, std::move(listener), false}));
  try {
    by_id_.emplace(id, nullptr);
  } catch (...) {
    any_.pop_back();
    throw;
  }
  ++next_id_;
  return id;
}

bool Emitter::off(ListenerId id) {
  const auto where = by_id_.find(id);
  if (where == by_id_.end()) return false;
  const std::string* name = where->second;
  by_id_.erase(where);
  if (name == nullptr) {
    const auto dropped = take_id(any_, id);
    return true;
  }
  const auto it = named_.find(*name);
  const auto dropped = take_id(it->second.listeners, id);
  // An empty name is forgotten, and with it its warning (Node starts a fresh list).
  if (it->second.listeners.empty()) named_.erase(it);
  return true;
}

Errc Emitter::emit(std::string_view name, std::string_view args_json, Reply* reply) {
  return emit(Event{name, args_json, reply});
}

Errc Emitter::emit(const Event& event) {
  if (is_reserved(event.name)) return Errc::emit_reserved_event;  // socket.io: "is a reserved event name"
  dispatch(event);
  return Errc::none;
}

void Emitter::emit_reserved(std::string_view name, std::string_view args_json, Reply* reply) {
  dispatch(Event{name, args_json, reply});
}

void Emitter::dispatch(const Event& event) {
  // Both snapshots are taken before any listener runs, so listeners can change the lists freely.
  const List any = any_;
  List named;
  if (const auto it = named_.find(event.name); it != named_.end()) named = it->second.listeners;
  for (const auto& record : any) run(record, event);
  for (const auto& record : named) run(record, event);
}

void Emitter::run(const std::shared_ptr<Record>& record, const Event& event) {
  if (record->once) {
    // A re-entrant emit may have run it already; Node's onceWrapper checks `fired` the same way.
    if (record->fired) return;
    record->fired = true;
    off(record->id);
  }
  record->listener(event);
}

std::size_t Emitter::listener_count(std::string_view name) const noexcept {
  const auto it = named_.find(name);
  return it == named_.end() ? 0 : it->second.listeners.size();
}

std::size_t Emitter::listener_count_any() const noexcept { return any_.size(); }

std::size_t Emitter::remove_all(std::string_view name) {
  const auto it = named_.find(name);
  if (it == named_.end()) return 0;
  const List dropped = std::move(it->second.listeners);
  named_.erase(it);
  for (const auto& record : dropped) by_id_.erase(record->id);
  return dropped.size();
}

std::size_t Emitter::remove_all() {
  const std::size_t removed = by_id_.size();
  // Moved out first: destroying a listener may run code (its captures' destructors) that calls
  // back into this emitter, which must then see it empty.
  auto named = std::exchange(named_, {});
  auto any = std::exchange(any_, {});
  by_id_.clear();
  return removed;
}

}  // namespace sioconf::ack
