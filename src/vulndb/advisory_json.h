// Advisory <-> JSON: how the vulnerability database stores one advisory (one JSON document per
// record, store.cc). Every field round-trips; enums are written as lower_snake words from one
// table each ("introduced", "last_affected"; "will_not_fix"), keys in a fixed order so the same
// advisory always serializes to the same bytes (the store's content hash relies on it).
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include <boost/json/value.hpp>

#include "common/result.h"
#include "vulndb/advisory.h"

namespace bulwark::vulndb {

boost::json::value advisory_to_json(const Advisory& advisory);
// The serialized document, byte-for-byte stable for equal advisories.
std::string advisory_to_json_text(const Advisory& advisory);

// Reads a document written by advisory_to_json. Missing members take their defaults; a member of
// the wrong type or an unknown enum word is kInvalidArgument naming it.
Result<Advisory> advisory_from_json(const boost::json::value& json);
Result<Advisory> advisory_from_json_text(std::string_view text);

// The words used for the enums (also handy for reports and logs).
std::string_view event_kind_name(VersionEvent::Kind kind);
std::string_view affected_status_name(AffectedStatus status);

}  // namespace bulwark::vulndb
