#include "sioconf/ack/ack_table.h"

#include <utility>

namespace sioconf::ack {

AckTable::AckTable(io::Loop& loop, const Limits& limits)
    : loop_(loop), max_pending_(limits.max_pending_acks), max_ack_id_(limits.max_ack_id) {}

AckTable::~AckTable() {
  for (const auto& [id, entry] : pending_) {
    if (entry.timer != 0) loop_.cancel_timer(entry.timer);
  }
}

Errc AckTable::add(AckCallback cb, std::uint64_t timeout_ms, std::uint64_t& id) {
  if (disconnected_) return Errc::ack_disconnected;
  if (pending_.size() >= max_pending_) return Errc::limit_pending_acks;
  if (next_id_ > max_ack_id_) return Errc::limit_ack_id;
  const std::uint64_t issued = next_id_;
  const auto it = pending_.emplace(issued, Entry{std::move(cb), 0}).first;
  if (timeout_ms != 0) {
    // The entry is in place before the timer exists, so a throwing start_timer leaves no timer
    // behind and the entry is taken out again.
    io::TimerId timer = 0;
    try {
      timer = loop_.start_timer(timeout_ms, [this, issued] { expire(issued); });
    } catch (...) {
      pending_.erase(it);
      throw;
    }
    if (timer == 0) {
      pending_.erase(it);
      return Errc::io_timer_failed;
    }
    it->second.timer = timer;
  }
  ++next_id_;
  id = issued;
  return Errc::none;
}

bool AckTable::settle(std::uint64_t id, std::string_view args_json) {
  const auto it = disconnected_ ? pending_.end() : pending_.find(id);
  if (it == pending_.end()) {
    ++(id < next_id_ ? duplicate_acks_ : unknown_acks_);
    return false;
  }
  Entry entry = std::move(it->second);
  pending_.erase(it);
  if (entry.timer != 0) loop_.cancel_timer(entry.timer);
  // Nothing of `this` is touched after the call: the callback may destroy the table.
  if (entry.callback) entry.callback(Errc::none, args_json);
  return true;
}

void AckTable::expire(std::uint64_t id) {
  const auto it = pending_.find(id);
  if (it == pending_.end()) return;  // settled timers are cancelled, so this is only a guard
  Entry entry = std::move(it->second);
  pending_.erase(it);
  ++timeouts_;
  if (entry.callback) entry.callback(Errc::ack_timeout, {});
}

void AckTable::disconnect() {
  if (disconnected_) return;
  disconnected_ = true;
  // The entries leave the table before any callback runs: callbacks may add, settle, disconnect or
  // destroy the table, and none of that can reach the map being walked here.
  std::map<std::uint64_t, Entry> settling = std::exchange(pending_, {});
  for (const auto& [id, entry] : settling) {
    if (entry.timer != 0) loop_.cancel_timer(entry.timer);
  }
  for (auto& [id, entry] : settling) {
    if (entry.callback) entry.callback(Errc::ack_disconnected, {});
  }
}

}  // namespace sioconf::ack
