#include "audit/coalescer.h"

#include "common/clock.h"

namespace bulwark::audit {

EventCoalescer::EventCoalescer(Sink sink, CoalescerOptions options)
    : sink_(std::move(sink)), options_(std::move(options)) {}

int64_t EventCoalescer::now_ms() const {
  return options_.clock_ms ? options_.clock_ms() : unix_millis();
}

std::string EventCoalescer::key_of(const Event& e) {
  // '\0' cannot occur inside sanitised fields' meaning, so the join is unambiguous enough for a
  // cache key (a collision would only merge two counts, never change a recorded field).
  std::string key;
  for (const std::string* part : {&e.actor, &e.client_address, &e.action, &e.resource.repository,
                                  &e.resource.digest, &e.resource.tag, &e.reason}) {
    key += *part;
    key += '\0';
  }
  key += outcome_name(e.outcome);
  return key;
}

Event EventCoalescer::summary_of(const Pending& p) {
  Event e = p.first;
  e.time_ms = p.last_ms;
  std::string note = "repeated " + std::to_string(p.repeats) + " more times in " +
                     std::to_string(p.last_ms - p.window_start_ms) + " ms";
  e.reason = e.reason.empty() ? note : e.reason + "; " + note;
  return e;
}

void EventCoalescer::take_expired(int64_t now, bool all, std::vector<Event>& out) {
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (all || now - it->second.window_start_ms >= options_.window_ms) {
      if (it->second.repeats > 0) out.push_back(summary_of(it->second));
      it = pending_.erase(it);
    } else {
      ++it;
    }
  }
}

void EventCoalescer::submit(Event event) {
  const int64_t now = event.time_ms != 0 ? event.time_ms : now_ms();
  event.time_ms = now;
  std::vector<Event> out;
  {
    std::lock_guard lock(mu_);
    if (now >= next_sweep_ms_) {  // at most one sweep per window
      take_expired(now, false, out);
      next_sweep_ms_ = now + options_.window_ms;
    }
    std::string key = key_of(event);
    auto it = pending_.find(key);
    if (it != pending_.end() && now - it->second.window_start_ms < options_.window_ms) {
      ++it->second.repeats;
      it->second.last_ms = now;
    } else {
      if (it != pending_.end()) {
        if (it->second.repeats > 0) out.push_back(summary_of(it->second));
        pending_.erase(it);
      }
      if (pending_.size() < options_.max_keys) {
        pending_.emplace(std::move(key), Pending{event, now, now, 0});
      }
      out.push_back(std::move(event));
    }
  }
  for (Event& e : out) sink_(std::move(e));
}

void EventCoalescer::flush_expired() {
  std::vector<Event> out;
  {
    std::lock_guard lock(mu_);
    take_expired(now_ms(), false, out);
  }
  for (Event& e : out) sink_(std::move(e));
}

void EventCoalescer::flush() {
  std::vector<Event> out;
  {
    std::lock_guard lock(mu_);
    take_expired(0, true, out);
  }
  for (Event& e : out) sink_(std::move(e));
}

}  // namespace bulwark::audit
