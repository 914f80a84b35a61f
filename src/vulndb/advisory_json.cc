#include "vulndb/advisory_json.h"

#include <array>
#include <utility>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace bulwark::vulndb {
namespace {

namespace json = boost::json;

constexpr std::array<std::pair<VersionEvent::Kind, std::string_view>, 5> kEventKinds = {{
    {VersionEvent::Kind::kIntroduced, "introduced"},
    {VersionEvent::Kind::kFixed, "fixed"},
    {VersionEvent::Kind::kLastAffected, "last_affected"},
    {VersionEvent::Kind::kLimit, "limit"},
    {VersionEvent::Kind::kIntroducedAfter, "introduced_after"},
}};

constexpr std::array<std::pair<AffectedStatus, std::string_view>, 4> kStatuses = {{
    {AffectedStatus::kAffected, "affected"},
    {AffectedStatus::kUnfixed, "unfixed"},
    {AffectedStatus::kWillNotFix, "will_not_fix"},
    {AffectedStatus::kNotAffected, "not_affected"},
}};

template <class Enum, size_t N>
std::string_view name_of(const std::array<std::pair<Enum, std::string_view>, N>& table, Enum value) {
  for (const auto& [v, name] : table) {
    if (v == value) return name;
  }
  return "unknown";
}

template <class Enum, size_t N>
bool value_of(const std::array<std::pair<Enum, std::string_view>, N>& table, std::string_view name,
              Enum& out) {
  for (const auto& [v, n] : table) {
    if (n == name) {
      out = v;
      return true;
    }
  }
  return false;
}

json::array strings_to_json(const std::vector<std::string>& values) {
  json::array out;
  out.reserve(values.size());
  for (const auto& v : values) out.emplace_back(v);
  return out;
}

// Members of one JSON object, read leniently (a missing member keeps the default) but strictly
// typed; the first type error is kept and reported by the caller.
class Reader {
 public:
  // The top-level reader names itself `name`; an element reader names its place in `parent`
  // (the path is spelled out only for an error message).
  Reader(const json::value& value, std::string_view name, Error* error)
      : name_(name), error_(error) {
    init(value);
  }
  Reader(const json::value& value, const Reader* parent, std::string_view key, size_t index)
      : parent_(parent), name_(key), index_(index), error_(parent->error_) {
    init(value);
  }

  void text(std::string_view key, std::string& out) {
    const json::value* v = member(key);
    if (v == nullptr) return;
    if (!v->is_string()) return set_error(key, "not a string");
    out = std::string(v->get_string());
  }

  void boolean(std::string_view key, bool& out) {
    const json::value* v = member(key);
    if (v == nullptr) return;
    if (!v->is_bool()) return set_error(key, "not a boolean");
    out = v->get_bool();
  }

  void texts(std::string_view key, std::vector<std::string>& out) {
    const json::array* list = array(key);
    if (list == nullptr) return;
    out.clear();
    out.reserve(list->size());
    for (const auto& v : *list) {
      if (!v.is_string()) return set_error(key, "not a string list");
      out.emplace_back(v.get_string());
    }
  }

  template <class Enum, size_t N>
  void word(std::string_view key, const std::array<std::pair<Enum, std::string_view>, N>& table,
            Enum& out) {
    std::string name;
    text(key, name);
    if (name.empty()) return;
    if (!value_of(table, name, out)) {
      set_error(key, "unknown value \"" + name + "\"");
    }
  }

  // The elements of the array member `key` (none when missing), each read by `read`.
  template <class T, class Read>
  void objects(std::string_view key, std::vector<T>& out, Read read) {
    const json::array* list = array(key);
    if (list == nullptr) return;
    out.clear();
    out.reserve(list->size());
    size_t i = 0;
    for (const auto& v : *list) {
      Reader element(v, this, key, i++);
      out.emplace_back();
      read(element, out.back());
    }
  }

 private:
  const json::value* member(std::string_view key) const {
    return object_ == nullptr ? nullptr : object_->if_contains(key);
  }
  const json::array* array(std::string_view key) {
    const json::value* v = member(key);
    if (v == nullptr) return nullptr;
    if (!v->is_array()) {
      set_error(key, "not an array");
      return nullptr;
    }
    return &v->get_array();
  }
  void init(const json::value& value) {
    object_ = value.if_object();
    if (object_ == nullptr) set_error("", "not an object");
  }
  std::string where() const {
    if (parent_ == nullptr) return std::string(name_);
    return parent_->where() + "." + std::string(name_) + "[" + std::to_string(index_) + "]";
  }
  void set_error(std::string_view key, std::string_view what) {
    if (!error_->message.empty()) return;
    std::string message = where();
    if (!key.empty()) message += "." + std::string(key);
    *error_ = Error{ErrorCode::kInvalidArgument, message + ": " + std::string(what)};
  }

  const Reader* parent_ = nullptr;
  std::string_view name_;
  size_t index_ = 0;
  Error* error_;
  const json::object* object_ = nullptr;
};

void read_event(Reader& r, VersionEvent& e) {
  r.word("kind", kEventKinds, e.kind);
  r.text("version", e.version);
}

void read_range(Reader& r, AffectedRange& range) {
  r.text("type", range.type);
  r.objects("events", range.events, read_event);
}

void read_affected(Reader& r, Affected& a) {
  r.text("ecosystem", a.ecosystem);
  r.text("distro", a.distro);
  r.text("package", a.package);
  r.word("status", kStatuses, a.status);
  r.objects("ranges", a.ranges, read_range);
  r.texts("versions", a.versions);
  r.text("severity", a.severity);
}

void read_severity(Reader& r, SeverityRating& s) {
  r.text("type", s.type);
  r.text("value", s.value);
  r.text("source", s.source);
}

}  // namespace

std::string_view event_kind_name(VersionEvent::Kind kind) { return name_of(kEventKinds, kind); }
std::string_view affected_status_name(AffectedStatus status) { return name_of(kStatuses, status); }

boost::json::value advisory_to_json(const Advisory& advisory) {
  json::object out;
  out["id"] = advisory.id;
  out["aliases"] = strings_to_json(advisory.aliases);
  out["related"] = strings_to_json(advisory.related);
  out["source"] = advisory.source;
  out["summary"] = advisory.summary;
  out["details"] = advisory.details;
  out["published"] = advisory.published;
  out["modified"] = advisory.modified;
  out["withdrawn"] = advisory.withdrawn;
  json::array severities;
  for (const auto& s : advisory.severities) {
    severities.emplace_back(json::object{{"type", s.type}, {"value", s.value}, {"source", s.source}});
  }
  out["severities"] = std::move(severities);
  out["cwes"] = strings_to_json(advisory.cwes);
  out["references"] = strings_to_json(advisory.references);
  json::array affected;
  for (const auto& a : advisory.affected) {
    json::array ranges;
    for (const auto& range : a.ranges) {
      json::array events;
      for (const auto& e : range.events) {
        events.emplace_back(json::object{{"kind", event_kind_name(e.kind)}, {"version", e.version}});
      }
      ranges.emplace_back(json::object{{"type", range.type}, {"events", std::move(events)}});
    }
    json::object entry;
    entry["ecosystem"] = a.ecosystem;
    entry["distro"] = a.distro;
    entry["package"] = a.package;
    entry["status"] = affected_status_name(a.status);
    entry["ranges"] = std::move(ranges);
    entry["versions"] = strings_to_json(a.versions);
    entry["severity"] = a.severity;
    affected.emplace_back(std::move(entry));
  }
  out["affected"] = std::move(affected);
  return out;
}

std::string advisory_to_json_text(const Advisory& advisory) {
  return json::serialize(advisory_to_json(advisory));
}

Result<Advisory> advisory_from_json(const boost::json::value& value) {
  Error error{ErrorCode::kInvalidArgument, ""};
  Advisory a;
  Reader r(value, "advisory", &error);
  r.text("id", a.id);
  r.texts("aliases", a.aliases);
  r.texts("related", a.related);
  r.text("source", a.source);
  r.text("summary", a.summary);
  r.text("details", a.details);
  r.text("published", a.published);
  r.text("modified", a.modified);
  r.boolean("withdrawn", a.withdrawn);
  r.objects("severities", a.severities, read_severity);
  r.texts("cwes", a.cwes);
  r.texts("references", a.references);
  r.objects("affected", a.affected, read_affected);
  if (!error.message.empty()) return fail(std::move(error));
  return a;
}

Result<Advisory> advisory_from_json_text(std::string_view text) {
  boost::system::error_code ec;
  // Feeds are not always valid UTF-8 and their text is kept as it came (serialize writes the
  // bytes unchanged); reports and API answers clean it when they show it.
  json::parse_options options;
  options.allow_invalid_utf8 = true;
  json::value value = json::parse(text, ec, {}, options);
  if (ec) return fail(ErrorCode::kInvalidArgument, "advisory: not valid JSON: " + ec.message());
  return advisory_from_json(value);
}

}  // namespace bulwark::vulndb
