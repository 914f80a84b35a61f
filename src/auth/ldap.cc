#include "auth/ldap.h"

#include <lber.h>
#include <ldap.h>
#include <sys/time.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

namespace bulwark::auth {
namespace {

struct LdapUnbind {
  void operator()(LDAP* ld) const { ldap_unbind_ext_s(ld, nullptr, nullptr); }
};
struct MessageFree {
  void operator()(LDAPMessage* m) const { ldap_msgfree(m); }
};
struct MemFree {
  void operator()(char* p) const { ldap_memfree(p); }
};
struct ValuesFree {
  void operator()(berval** v) const { ldap_value_free_len(v); }
};
using LdapPtr = std::unique_ptr<LDAP, LdapUnbind>;
using MessagePtr = std::unique_ptr<LDAPMessage, MessageFree>;
using LdapString = std::unique_ptr<char, MemFree>;
using ValuesPtr = std::unique_ptr<berval*, ValuesFree>;

Error bad_credentials() {
  return Error{ErrorCode::kInvalidArgument, std::string(kLdapBadCredentialsMessage)};
}

// Result codes of a user bind that mean "these credentials are refused" (the account or its
// password is not good) rather than "the directory failed".
constexpr int kRefusedBindCodes[] = {
    LDAP_INVALID_CREDENTIALS,   // wrong password, unknown DN
    LDAP_INAPPROPRIATE_AUTH,    // the entry has no password
    LDAP_UNWILLING_TO_PERFORM,  // e.g. a locked or disabled account
    LDAP_INSUFFICIENT_ACCESS,   // the entry may not authenticate
    LDAP_INVALID_DN_SYNTAX,     // a DN the server will not bind as
    LDAP_CONSTRAINT_VIOLATION,  // e.g. password policy refusals
};

bool credentials_refused(int rc) {
  return std::find(std::begin(kRefusedBindCodes), std::end(kRefusedBindCodes), rc) !=
         std::end(kRefusedBindCodes);
}

// Replaces each {name} placeholder in `tmpl` with its value; other text is copied.
std::string expand(std::string_view tmpl,
                   std::initializer_list<std::pair<std::string_view, std::string_view>> values) {
  std::string out;
  out.reserve(tmpl.size());
  size_t i = 0;
  while (i < tmpl.size()) {
    bool replaced = false;
    for (const auto& [name, value] : values) {
      if (tmpl.substr(i, name.size()) == name) {
        out += value;
        i += name.size();
        replaced = true;
        break;
      }
    }
    if (!replaced) out += tmpl[i++];
  }
  return out;
}

// One connection to the directory, with the failures of its operations turned into Errors.
class Connection {
 public:
  Connection(const LdapOptions& options, LdapPtr ld) : options_(options), ld_(std::move(ld)) {}

  static Result<Connection> open(const LdapOptions& options);

  // kUnavailable naming the step and the URL; the server's diagnostic message is added unless
  // it echoes a secret.
  Error unavailable(std::string_view step, int rc, std::string_view secret = {}) const;

  // Raw result code of a simple bind (an empty dn and password bind anonymously).
  int bind(const std::string& dn, std::string_view password) {
    berval cred{static_cast<ber_len_t>(password.size()), const_cast<char*>(password.data())};
    return ldap_sasl_bind_s(ld_.get(), dn.c_str(), LDAP_SASL_SIMPLE, &cred, nullptr, nullptr,
                            nullptr);
  }

  // Binds as the service account, or anonymously when none is configured.
  Result<void> bind_service() {
    int rc = bind(options_.bind_dn, options_.bind_password);
    if (rc == LDAP_SUCCESS) return ok();
    std::string step = options_.bind_dn.empty() ? std::string("anonymous bind")
                                                : "service bind as \"" + options_.bind_dn + "\"";
    return fail(unavailable(step, rc, options_.bind_password));
  }

  struct Search {
    int rc;
    MessagePtr message;
  };
  // A subtree search returning `attributes` (none: no attributes).
  Search search(const std::string& base, const std::string& filter,
                const std::vector<std::string>& attributes, int size_limit) {
    std::vector<std::string> names = attributes;
    if (names.empty()) names.emplace_back(LDAP_NO_ATTRS);
    std::vector<char*> attrs;
    for (auto& name : names) attrs.push_back(name.data());
    attrs.push_back(nullptr);
    timeval timeout{options_.timeout_seconds, 0};
    LDAPMessage* raw = nullptr;
    int rc = ldap_search_ext_s(ld_.get(), base.c_str(), LDAP_SCOPE_SUBTREE, filter.c_str(),
                               attrs.data(), 0, nullptr, nullptr, &timeout, size_limit, &raw);
    return Search{rc, MessagePtr(raw)};
  }

  LDAP* get() const { return ld_.get(); }

 private:
  const LdapOptions& options_;
  LdapPtr ld_;
};

Error Connection::unavailable(std::string_view step, int rc, std::string_view secret) const {
  std::string message =
      "ldap: " + std::string(step) + " at " + options_.url + " failed: " + ldap_err2string(rc);
  char* raw = nullptr;
  if (ld_ && ldap_get_option(ld_.get(), LDAP_OPT_DIAGNOSTIC_MESSAGE, &raw) == LDAP_OPT_SUCCESS &&
      raw != nullptr) {
    LdapString diagnostic(raw);
    std::string_view text(raw);
    bool echoes_secret = !secret.empty() && text.find(secret) != std::string_view::npos;
    if (!text.empty() && !echoes_secret) {
      message += text.front() == '(' ? " " + std::string(text) : " (" + std::string(text) + ")";
    }
  }
  return Error{ErrorCode::kUnavailable, std::move(message)};
}

bool uses_tls(const LdapOptions& options) {
  return options.start_tls || options.url.starts_with("ldaps://");
}

template <class T>
int set_option(LDAP* ld, int option, const T& value) {
  return ldap_set_option(ld, option, &value);
}

Result<Connection> Connection::open(const LdapOptions& options) {
  LDAP* raw = nullptr;
  int rc = ldap_initialize(&raw, options.url.c_str());
  Connection conn(options, LdapPtr(raw));
  if (rc != LDAP_SUCCESS || raw == nullptr) return fail(conn.unavailable("initialize", rc));

  const timeval timeout{options.timeout_seconds, 0};
  // Referrals would be followed with the same credentials to another server: never.
  if ((rc = set_option(raw, LDAP_OPT_PROTOCOL_VERSION, LDAP_VERSION3)) != LDAP_OPT_SUCCESS ||
      (rc = ldap_set_option(raw, LDAP_OPT_REFERRALS, LDAP_OPT_OFF)) != LDAP_OPT_SUCCESS ||
      (rc = set_option(raw, LDAP_OPT_NETWORK_TIMEOUT, timeout)) != LDAP_OPT_SUCCESS ||
      (rc = set_option(raw, LDAP_OPT_TIMEOUT, timeout)) != LDAP_OPT_SUCCESS) {
    return fail(conn.unavailable("setting options", rc));
  }
  if (uses_tls(options)) {
    if ((rc = set_option(raw, LDAP_OPT_X_TLS_REQUIRE_CERT, LDAP_OPT_X_TLS_DEMAND)) !=
            LDAP_OPT_SUCCESS ||
        (rc = set_option(raw, LDAP_OPT_X_TLS_PROTOCOL_MIN, LDAP_OPT_X_TLS_PROTOCOL_TLS1_2)) !=
            LDAP_OPT_SUCCESS ||
        (!options.ca_file.empty() &&
         (rc = ldap_set_option(raw, LDAP_OPT_X_TLS_CACERTFILE, options.ca_file.c_str())) !=
             LDAP_OPT_SUCCESS)) {
      return fail(conn.unavailable("setting TLS options", rc));
    }
    // The settings above apply to this handle only once it has a TLS context of its own.
    if ((rc = set_option(raw, LDAP_OPT_X_TLS_NEWCTX, 0)) != LDAP_OPT_SUCCESS) {
      return fail(conn.unavailable("TLS setup", rc));
    }
  }
  if (options.start_tls && (rc = ldap_start_tls_s(raw, nullptr, nullptr)) != LDAP_SUCCESS) {
    return fail(conn.unavailable("StartTLS", rc));
  }
  return conn;
}

// The first value of `attribute` on `entry`, if any.
std::optional<std::string> first_value(LDAP* ld, LDAPMessage* entry, const std::string& attribute) {
  if (attribute.empty()) return std::nullopt;
  ValuesPtr values(ldap_get_values_len(ld, entry, attribute.c_str()));
  if (!values || values.get()[0] == nullptr) return std::nullopt;
  const berval* v = values.get()[0];
  return std::string(v->bv_val, v->bv_len);
}

bool malformed_username(std::string_view username) {
  return username.empty() || username.size() > kMaxLdapUsernameBytes ||
         username.find('\0') != std::string_view::npos;
}

void init_library_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    int version = 0;
    ldap_get_option(nullptr, LDAP_OPT_PROTOCOL_VERSION, &version);  // loads global defaults
  });
}

Result<void> check_url(const std::string& url, bool start_tls) {
  LDAPURLDesc* desc = nullptr;
  if (url.empty() || ldap_url_parse(url.c_str(), &desc) != LDAP_URL_SUCCESS) {
    return fail(ErrorCode::kInvalidArgument, "ldap: url \"" + url + "\" is not an LDAP URL");
  }
  ldap_free_urldesc(desc);
  const bool ldaps = url.starts_with("ldaps://");
  if (!ldaps && !url.starts_with("ldap://")) {
    return fail(ErrorCode::kInvalidArgument,
                "ldap: url \"" + url + "\" must start with ldap:// or ldaps://");
  }
  if (start_tls && ldaps) {
    return fail(ErrorCode::kInvalidArgument, "ldap: start_tls needs an ldap:// url, not ldaps://");
  }
  return ok();
}

}  // namespace

std::string escape_filter_value(std::string_view value) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    auto byte = static_cast<unsigned char>(c);
    bool special = c == '*' || c == '(' || c == ')' || c == '\\' || byte < 0x20 || byte >= 0x7f;
    if (special) {
      out += '\\';
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    } else {
      out += c;
    }
  }
  return out;
}

Result<void> validate_ldap_options(const LdapOptions& options) {
  BULWARK_TRY_VOID(check_url(options.url, options.start_tls));
  struct Rule {
    bool broken;
    const char* message;
  };
  const Rule rules[] = {
      {options.user_base.empty(), "ldap: user_base is required"},
      {options.user_filter.find("{username}") == std::string::npos,
       "ldap: user_filter must contain {username}"},
      {!options.bind_dn.empty() && options.bind_password.empty(),
       "ldap: bind_dn needs a bind_password (an empty one binds anonymously)"},
      {!options.group_base.empty() && options.group_filter.empty(),
       "ldap: group_filter is required with group_base"},
      {!options.group_base.empty() && options.group_name_attribute.empty(),
       "ldap: group_name_attribute is required with group_base"},
      {options.timeout_seconds < 1 || options.timeout_seconds > 300,
       "ldap: timeout_seconds must be between 1 and 300"},
  };
  for (const auto& rule : rules) {
    if (rule.broken) return fail(ErrorCode::kInvalidArgument, rule.message);
  }
  return ok();
}

LdapDirectory::LdapDirectory(LdapOptions options)
    : options_(std::move(options)), valid_(validate_ldap_options(options_)) {
  init_library_once();
}

Result<LdapIdentity> LdapDirectory::authenticate(std::string_view username,
                                                 std::string_view password) const {
  if (!valid_) {
    return fail(ErrorCode::kUnavailable, "ldap: misconfigured: " + valid_.error().message);
  }
  // Refused before any network traffic: an empty password would be an unauthenticated bind.
  if (password.empty() || malformed_username(username)) return fail(bad_credentials());

  BULWARK_ASSIGN_OR_RETURN(Connection conn, Connection::open(options_));
  if (!options_.bind_dn.empty()) BULWARK_TRY_VOID(conn.bind_service());

  const std::string escaped_name = escape_filter_value(username);
  std::vector<std::string> user_attributes;
  for (const auto* a : {&options_.email_attribute, &options_.username_attribute}) {
    if (!a->empty()) user_attributes.push_back(*a);
  }
  // Two entries are enough to know the name is ambiguous.
  auto users =
      conn.search(options_.user_base, expand(options_.user_filter, {{"{username}", escaped_name}}),
                  user_attributes, 2);
  if (users.rc == LDAP_SIZELIMIT_EXCEEDED) return fail(bad_credentials());
  if (users.rc != LDAP_SUCCESS) return fail(conn.unavailable("user search", users.rc));
  if (ldap_count_entries(conn.get(), users.message.get()) != 1) return fail(bad_credentials());
  LDAPMessage* entry = ldap_first_entry(conn.get(), users.message.get());
  LdapString dn(entry ? ldap_get_dn(conn.get(), entry) : nullptr);
  // An empty DN would make the password check an anonymous bind.
  if (!dn || *dn == '\0') return fail(bad_credentials());

  LdapIdentity identity;
  identity.dn = dn.get();
  identity.username =
      first_value(conn.get(), entry, options_.username_attribute).value_or(std::string(username));
  identity.email = first_value(conn.get(), entry, options_.email_attribute).value_or("");
  users.message.reset();

  int rc = conn.bind(identity.dn, password);
  if (credentials_refused(rc)) return fail(bad_credentials());
  if (rc != LDAP_SUCCESS) return fail(conn.unavailable("user bind", rc, password));

  if (options_.group_base.empty()) return identity;
  // Groups are read with the service account's rights, not the user's.
  BULWARK_TRY_VOID(conn.bind_service());
  auto groups = conn.search(
      options_.group_base,
      expand(options_.group_filter, {{"{dn}", escape_filter_value(identity.dn)},
                                     {"{username}", escape_filter_value(identity.username)}}),
      {options_.group_name_attribute}, 0);
  if (groups.rc != LDAP_SUCCESS) return fail(conn.unavailable("group search", groups.rc));
  for (LDAPMessage* g = ldap_first_entry(conn.get(), groups.message.get()); g != nullptr;
       g = ldap_next_entry(conn.get(), g)) {
    ValuesPtr values(ldap_get_values_len(conn.get(), g, options_.group_name_attribute.c_str()));
    for (berval** v = values.get(); v != nullptr && *v != nullptr; ++v) {
      identity.groups.emplace_back((*v)->bv_val, (*v)->bv_len);
    }
  }
  std::sort(identity.groups.begin(), identity.groups.end());
  identity.groups.erase(std::unique(identity.groups.begin(), identity.groups.end()),
                        identity.groups.end());
  return identity;
}

}  // namespace bulwark::auth
