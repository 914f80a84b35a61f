#include "audit/export.h"

#include <netdb.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

#include "common/strict_json.h"

namespace bulwark::audit {
namespace {

namespace json = boost::json;

constexpr size_t kMaxDatagram = 65507;  // IPv4 UDP payload limit

// RFC 5424 severities by outcome.
constexpr std::pair<Outcome, int> kSeverities[] = {
    {Outcome::kAllowed, 6},  // informational
    {Outcome::kDenied, 4},   // warning
    {Outcome::kError, 3},    // error
};

int severity(Outcome outcome) {
  for (const auto& [o, s] : kSeverities) {
    if (o == outcome) return s;
  }
  return 3;
}

// RFC 5424 §6.3.3: '"', '\' and ']' are escaped with a backslash in PARAM-VALUE.
void append_param_value(std::string& out, std::string_view value) {
  for (char c : value) {
    if (c == '"' || c == '\\' || c == ']') out += '\\';
    out += c;
  }
}

// HOSTNAME is 1*255 PRINTUSASCII; anything else becomes '-' (NILVALUE) or is dropped.
std::string header_hostname(const std::string& configured) {
  std::string name = configured;
  if (name.empty()) {
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) == 0) name = buf;
  }
  std::string out;
  for (char c : name) {
    if (c >= 33 && c <= 126 && out.size() < 255) out += c;
  }
  return out.empty() ? "-" : out;
}

Result<void> send_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)
      return fail(ErrorCode::kUnavailable, std::string("syslog send: ") + std::strerror(errno));
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return ok();
}

}  // namespace

std::string rfc3339_ms(int64_t time_ms) {
  int64_t seconds = time_ms >= 0 ? time_ms / 1000 : (time_ms - 999) / 1000;
  int millis = static_cast<int>(time_ms - seconds * 1000);
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
  return buf;
}

std::string json_line(const metadata::AuditRecord& record) {
  auto parsed = parse_strict_json(record.body);
  // A damaged body is exported as text rather than dropped.
  json::value event = parsed ? std::move(*parsed) : json::value(json::string(record.body));
  json::object line{{"event", std::move(event)},
                    {"hash", record.hash},
                    {"prev_hash", record.prev_hash},
                    {"seq", record.seq}};
  return json::serialize(line);
}

Result<int64_t> for_each_record(
    metadata::AuditStore& store, const ExportOptions& options,
    const std::function<Result<void>(const metadata::AuditRecord&)>& emit) {
  metadata::AuditQuery query;
  query.since_ms = options.since_ms;
  query.until_ms = options.until_ms;
  query.after_seq = options.after_seq;
  query.limit = options.page_size == 0 ? 1 : options.page_size;
  int64_t count = 0;
  for (;;) {
    BULWARK_ASSIGN_OR_RETURN(std::vector<metadata::AuditRecord> page, store.query_audit(query));
    if (page.empty()) break;
    for (const metadata::AuditRecord& record : page) {
      BULWARK_TRY_VOID(emit(record));
      ++count;
    }
    query.after_seq = page.back().seq;
  }
  return count;
}

Result<int64_t> export_json_lines(metadata::AuditStore& store, std::ostream& out,
                                  const ExportOptions& options) {
  BULWARK_ASSIGN_OR_RETURN(
      int64_t count,
      for_each_record(store, options, [&out](const metadata::AuditRecord& record) -> Result<void> {
        out << json_line(record) << '\n';
        if (!out) return fail(ErrorCode::kIo, "cannot write the audit export");
        return ok();
      }));
  out.flush();
  if (!out) return fail(ErrorCode::kIo, "cannot write the audit export");
  return count;
}

Result<int64_t> parse_time_ms(std::string_view text) {
  auto bad = [&] {
    return fail(
        ErrorCode::kInvalidArgument,
        "time must be unix seconds or RFC 3339 (2024-05-01T12:00:00Z): " + std::string(text));
  };
  if (!text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos) {
    if (text.size() > 12) return bad();
    return std::stoll(std::string(text)) * 1000;
  }
  std::string s(text);
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, consumed = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &year, &month, &day, &hour, &minute,
                  &second, &consumed) != 6 ||
      consumed != 19 || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 ||
      minute > 59 || second > 60) {
    return bad();
  }
  std::string_view rest = std::string_view(s).substr(19);
  int64_t millis = 0;
  if (!rest.empty() && rest.front() == '.') {
    rest.remove_prefix(1);
    int digits = 0;
    while (!rest.empty() && rest.front() >= '0' && rest.front() <= '9') {
      if (digits < 3) millis = millis * 10 + (rest.front() - '0');
      ++digits;
      rest.remove_prefix(1);
    }
    if (digits == 0) return bad();
    for (int d = digits; d < 3; ++d) millis *= 10;
  }
  int64_t offset_s = 0;
  if (rest == "Z" || rest == "z") {
    offset_s = 0;
  } else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':') {
    int oh = 0, om = 0;
    if (std::sscanf(std::string(rest.substr(1)).c_str(), "%2d:%2d", &oh, &om) != 2 || oh > 23 ||
        om > 59) {
      return bad();
    }
    offset_s = (oh * 3600 + om * 60) * (rest[0] == '+' ? 1 : -1);
  } else {
    return bad();
  }
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  const int64_t seconds = static_cast<int64_t>(::timegm(&tm)) - offset_s;
  return seconds * 1000 + millis;
}

std::string format_syslog(const Event& event, int64_t seq, std::string_view hash,
                          const SyslogOptions& options) {
  const int pri = options.facility * 8 + severity(event.outcome);
  std::string out = "<" + std::to_string(pri) + ">1 " + rfc3339_ms(event.time_ms) + " " +
                    header_hostname(options.hostname) + " bulwark - AUDIT [" + options.sd_id;
  const std::string seq_text = std::to_string(seq);
  const std::pair<std::string_view, std::string_view> params[] = {
      {"seq", seq_text},
      {"hash", hash},
      {"actor", event.actor},
      {"client", event.client_address},
      {"action", event.action},
      {"repository", event.resource.repository},
      {"digest", event.resource.digest},
      {"tag", event.resource.tag},
      {"outcome", outcome_name(event.outcome)},
      {"reason", event.reason},
  };
  for (const auto& [name, value] : params) {
    out += ' ';
    out += name;
    out += "=\"";
    append_param_value(out, value);
    out += '"';
  }
  out += "] ";
  out += event.actor + " " + event.action;
  if (!event.resource.repository.empty()) out += " " + event.resource.repository;
  out += " " + std::string(outcome_name(event.outcome));
  if (!event.reason.empty()) out += ": " + event.reason;
  return out;
}

Result<std::string> format_syslog(const metadata::AuditRecord& record,
                                  const SyslogOptions& options) {
  BULWARK_ASSIGN_OR_RETURN(Event event, parse_event(record.body));
  return format_syslog(event, record.seq, record.hash, options);
}

// --- SyslogSender

Result<std::unique_ptr<SyslogSender>> SyslogSender::connect(SyslogTransport transport,
                                                            const std::string& host,
                                                            uint16_t port) {
  std::unique_ptr<SyslogSender> sender(new SyslogSender(transport, host, port));
  std::lock_guard lock(sender->mu_);
  BULWARK_TRY_VOID(sender->open_socket());
  return sender;
}

SyslogSender::~SyslogSender() {
  if (fd_ >= 0) ::close(fd_);
}

Result<void> SyslogSender::open_socket() {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = transport_ == SyslogTransport::kTcp ? SOCK_STREAM : SOCK_DGRAM;
  addrinfo* found = nullptr;
  int rc = ::getaddrinfo(host_.c_str(), std::to_string(port_).c_str(), &hints, &found);
  if (rc != 0) {
    return fail(ErrorCode::kUnavailable, "syslog host " + host_ + ": " + ::gai_strerror(rc));
  }
  std::string last_error = "no address";
  for (addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) continue;
    if (::connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
      ::freeaddrinfo(found);
      fd_ = fd;
      return ok();
    }
    last_error = std::strerror(errno);
    ::close(fd);
  }
  ::freeaddrinfo(found);
  return fail(ErrorCode::kUnavailable,
              "cannot reach syslog " + host_ + ":" + std::to_string(port_) + ": " + last_error);
}

Result<void> SyslogSender::send(std::string_view message) {
  std::lock_guard lock(mu_);
  if (transport_ == SyslogTransport::kUdp && message.size() > kMaxDatagram) {
    return fail(ErrorCode::kTooLarge, "syslog message too large for one UDP datagram");
  }
  if (fd_ < 0) BULWARK_TRY_VOID(open_socket());
  Result<void> sent =
      transport_ == SyslogTransport::kTcp
          ? send_all(fd_, std::to_string(message.size()) + " " + std::string(message))
          : send_all(fd_, message);
  if (!sent && transport_ == SyslogTransport::kTcp) {
    ::close(fd_);
    fd_ = -1;
  }
  return sent;
}

Event shown_event(const metadata::AuditRecord& record) {
  if (auto event = parse_event(record.body)) return std::move(*event);
  Event event;
  event.time_ms = record.time_ms;
  event.actor = record.actor;
  event.action = record.action;
  event.resource.repository = record.repository;
  event.resource.digest = record.digest;
  event.outcome = parse_outcome(record.outcome).value_or(Outcome::kError);
  event.reason = "[unreadable record body]";
  return event;
}

boost::json::object record_view(const metadata::AuditRecord& record) {
  const Event e = shown_event(record);
  return {{"seq", record.seq},
          {"hash", record.hash},
          {"time", rfc3339_ms(e.time_ms)},
          {"time_ms", e.time_ms},
          {"actor", e.actor},
          {"client", e.client_address},
          {"action", e.action},
          {"repository", e.resource.repository},
          {"digest", e.resource.digest},
          {"tag", e.resource.tag},
          {"outcome", outcome_name(e.outcome)},
          {"reason", e.reason}};
}

}  // namespace bulwark::audit
