// LdapDirectory: checks a username and password against an LDAP directory (OpenLDAP client
// library) and reads the account's e-mail address and group names.
//
// One authenticate() call: connect (ldap://, ldaps://, optionally StartTLS), bind as the service
// account (or stay anonymous), search the user under user_base with user_filter — exactly one
// entry must match — bind as that entry's DN with the password, bind back as the service
// account and search group_base with group_filter. Group names are the values of
// group_name_attribute of the matching group entries, sorted and unique; callers map them onto
// roles (project members of kind "group"), this class does no role mapping. A group search that
// exceeds the server's size limit fails rather than return some of the groups.
//
// Failures:
//  - Bad credentials — unknown user, wrong password, several matching entries, an empty password,
//    a username that is empty, longer than kMaxLdapUsernameBytes or contains a NUL byte — all
//    fail with the same Error: code kInvalidArgument (as the Authenticator's bad credentials) and
//    message kLdapBadCredentialsMessage, so a caller cannot tell whether the account exists. No
//    other failure of authenticate() uses kInvalidArgument. Empty passwords and malformed
//    usernames are refused before the directory is contacted (an LDAP simple bind with an empty
//    password is an unauthenticated bind that "succeeds").
//  - Everything else — directory unreachable or timing out, TLS failure, service bind refused,
//    a search failing, options unusable — fails with kUnavailable and a message that names the
//    URL but never a password.
//
// Filter values are escaped per RFC 4515 ({username} and {dn} in the filters), so "*" or
// "alice)(uid=*" match nobody but an account literally named so. Referrals are not chased.
// TLS: certificates are always verified (ca_file, else the system's CAs), TLS 1.2 at least.
// Like any libldap user, the process should ignore SIGPIPE (bulwark serve does); libldap also
// reads /etc/ldap/ldap.conf and ~/.ldaprc, but every option set here overrides them.
//
// Thread-safety: thread-safe; each authenticate() uses its own connection. Calls block on the
// network for up to a few times timeout_seconds: call them from a worker thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace bulwark::auth {

struct LdapOptions {
  std::string url;         // ldap://host:port or ldaps://host:port
  bool start_tls = false;  // StartTLS on an ldap:// URL (not with ldaps://)
  std::string ca_file;     // PEM CA bundle for ldaps/StartTLS; empty = system default
  std::string bind_dn;     // service account used to search; empty = anonymous search
  std::string bind_password;
  std::string user_base;  // e.g. ou=people,dc=example,dc=org (subtree search)
  std::string user_filter = "(uid={username})";  // {username} is RFC 4515-escaped
  // The attribute whose value becomes LdapIdentity::username (the directory's spelling, e.g.
  // "alice" for a login as "ALICE"); empty, or absent on the entry: the name as given.
  std::string username_attribute = "uid";
  std::string group_base;  // empty: no group lookup
  // {dn} is the user's DN and {username} LdapIdentity::username, both RFC 4515-escaped.
  std::string group_filter = "(|(member={dn})(uniqueMember={dn})(memberUid={username}))";
  std::string group_name_attribute = "cn";
  std::string email_attribute = "mail";  // empty: no e-mail read
  int timeout_seconds = 5;               // connect, and each LDAP operation
};

struct LdapIdentity {
  std::string username;
  std::string dn;
  std::string email;                // first value of email_attribute; empty if none
  std::vector<std::string> groups;  // sorted, unique
};

inline constexpr std::string_view kLdapBadCredentialsMessage = "invalid username or password";
inline constexpr size_t kMaxLdapUsernameBytes = 256;

// Checks options for use, e.g. when a configuration is loaded: an ldap:// or ldaps:// URL,
// start_tls only with ldap://, user_base set, user_filter containing {username}, a bind_password
// whenever bind_dn is set, timeout_seconds in [1, 300]. Fails with kInvalidArgument naming the
// problem (never a password).
Result<void> validate_ldap_options(const LdapOptions& options);

class LdapDirectory {
 public:
  explicit LdapDirectory(LdapOptions options);

  // See the header comment for what succeeds and how each failure is reported.
  Result<LdapIdentity> authenticate(std::string_view username, std::string_view password) const;

  const LdapOptions& options() const { return options_; }

 private:
  const LdapOptions options_;
  const Result<void> valid_;  // validate_ldap_options(options_), checked by every call
};

// RFC 4515 filter value escaping: '*', '(', ')', '\', NUL, other control bytes and every byte
// >= 0x7f become "\xx" (two lowercase hex digits); all else is copied. Exposed for tests.
std::string escape_filter_value(std::string_view value);

}  // namespace bulwark::auth
