// Resource scopes of the Docker distribution token flow: what a client asks the token endpoint for
// (`scope=repository:library/nginx:pull,push`), what a token grants (its `access` claim) and what
// the registry's 401/403 `WWW-Authenticate: Bearer ...` challenge names.
//
// Grammar (distribution token-scope spec):
//   scope          := resourcescope [ ' ' resourcescope ]*
//   resourcescope  := resourcetype ':' resourcename ':' action [ ',' action ]*
//   resourcetype   := /[a-z0-9]+/ [ '(' /[a-z0-9]+/ ')' ]      e.g. "repository(plugin)"
// The type ends at the first ':' and the actions start after the last ':', so a name containing
// ':' is recognised (and then refused by the name rule). Types known here: "repository" (name: an
// OCI repository name) and "registry" (name: "catalog"). Actions are lowercase words or "*";
// unknown actions parse but are never granted unless the caller allows them by name.
//
// Value types and pure functions; thread-safe.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace bulwark::auth {

struct Scope {
  std::string type;                  // "repository" | "registry"
  std::string resource_class;        // "" or e.g. "plugin" in "repository(plugin)"
  std::string name;                  // repository name, or "catalog"
  std::vector<std::string> actions;  // in request order, without repeats

  friend bool operator==(const Scope&, const Scope&) = default;
};

// "type[(class)]:name:a,b". The inverse of parse_scope for valid scopes.
std::string to_string(const Scope& scope);

// Parses one resourcescope. Errors are kInvalidArgument naming the problem.
Result<Scope> parse_scope(std::string_view text);

// All scopes of a token request: each element is one `scope` query parameter value, itself a
// space-separated list. Scopes for the same resource are merged (their actions united). Entries
// that do not parse are listed in `invalid` (and left out of `scopes`), so the token endpoint can
// refuse them or grant the rest.
struct ParsedScopes {
  std::vector<Scope> scopes;
  std::vector<Error> invalid;
};
ParsedScopes parse_scope_params(std::span<const std::string_view> params);

// `requested` restricted to the actions in `allowed` (requested order kept; may end up with no
// actions, which the token spec represents as an empty list).
Scope grant(const Scope& requested, std::span<const std::string> allowed);

// The token's `access` claim: [{"type":..,"class":..(only if set),"name":..,"actions":[..]}].
boost::json::array to_access_claim(std::span<const Scope> scopes);
// Reads an `access` claim back; null means no access. Entries must be well-formed scopes.
Result<std::vector<Scope>> from_access_claim(const boost::json::value& access);

// A `WWW-Authenticate` value: Bearer realm="..",service=".."[,scope="s1 s2"][,error=".."]
// (service and scope are left out when empty). Values are quoted-strings: '"' and '\' are
// escaped and control characters dropped, so no input can split the header.
// `error` is "" for a plain 401, or "insufficient_scope" / "invalid_token" (RFC 6750 §3.1).
std::string bearer_challenge(std::string_view realm, std::string_view service,
                             std::span<const Scope> scopes = {}, std::string_view error = {});

}  // namespace bulwark::auth
