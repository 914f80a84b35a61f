// Audit events: what happened (action), who did it (actor, client address), to what (repository,
// digest, tag), how it ended (outcome) and why (reason) — and their canonical JSON form, the
// exact bytes the hash chain covers.
//
// Canonical JSON: Boost.JSON, keys sorted bytewise, no whitespace, every field always present,
// integers for times, so one event has exactly one serialisation and re-serialising a parsed
// body reproduces it byte for byte.
//
// No secret ever reaches the log: callers never pass credentials (passwords, tokens,
// Authorization headers, robot secrets, keys) in any field. As a backstop, sanitize_event()
// replaces any field that looks like a credential (see kSecretPatterns in event.cc) by a marker
// instead of refusing the event — refusing would let an attacker suppress the record of their
// own failed login by choosing a token-shaped user name. Other values are kept verbatim (bytes
// that are not UTF-8 become U+FFFD so the body stays valid JSON).
//
// Value types and pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace bulwark::audit {

enum class Outcome { kAllowed, kDenied, kError };

// "allowed" | "denied" | "error"; parse_outcome returns nullopt for anything else.
std::string_view outcome_name(Outcome outcome);
std::optional<Outcome> parse_outcome(std::string_view name);

struct Resource {
  std::string repository;  // may be empty
  std::string digest;      // may be empty
  std::string tag;         // may be empty
  friend bool operator==(const Resource&, const Resource&) = default;
};

struct Event {
  int64_t time_ms = 0;         // unix milliseconds
  std::string actor;           // user or robot name, "anonymous", or "system"
  std::string client_address;  // IP address of the client; empty for local actions
  std::string action;          // e.g. "manifest.push", "login.failure", "robot.revoke"
  Resource resource;
  Outcome outcome = Outcome::kAllowed;
  std::string reason;  // why it was denied or failed, or free text; kept verbatim
  friend bool operator==(const Event&, const Event&) = default;
};

// The marker that replaces a credential-shaped field value.
inline constexpr std::string_view kRedacted = "[redacted: looked like a credential]";

// The event with credential-shaped fields replaced by kRedacted and invalid UTF-8 repaired.
// `redacted` (optional) receives the names of the replaced fields.
Event sanitize_event(Event event, std::vector<std::string>* redacted = nullptr);

// True when `value` looks like a credential (a JWT, an Authorization header value, a PEM
// private key, a `password=...` assignment, ...).
bool looks_like_secret(std::string_view value);

// The canonical JSON body of an event.
// REQUIRES: every string field is valid UTF-8 (sanitize_event guarantees it).
std::string canonical_json(const Event& event);

// Parses a canonical body back into an event. kCorrupt when `body` is not a complete event.
Result<Event> parse_event(std::string_view body);

}  // namespace bulwark::audit
