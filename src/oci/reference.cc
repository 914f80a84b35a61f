#include "oci/reference.h"

#include <string>

namespace bulwark::oci {
namespace {

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool is_alnum(char c) { return is_lower_alnum(c) || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// One path component: `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`. Returns an empty string when valid,
// else what is wrong with it.
std::string component_problem(std::string_view c) {
  if (c.empty()) return "empty path component";
  if (!is_lower_alnum(c.front())) return "path component must start with [a-z0-9]";
  if (!is_lower_alnum(c.back())) return "path component must end with [a-z0-9]";
  size_t i = 0;
  while (i < c.size()) {
    if (is_lower_alnum(c[i])) {
      ++i;
      continue;
    }
    // A separator run: ".", "_", "__" or one or more "-", followed by an alphanumeric.
    size_t start = i;
    char sep = c[i];
    if (sep == '.') {
      ++i;
    } else if (sep == '_') {
      while (i < c.size() && c[i] == '_') ++i;
      if (i - start > 2) return "at most two consecutive '_' allowed";
    } else if (sep == '-') {
      while (i < c.size() && c[i] == '-') ++i;
    } else {
      return "invalid character (allowed: a-z 0-9 . _ __ - and / between components)";
    }
    if (i >= c.size() || !is_lower_alnum(c[i])) {
      return "separators must be followed by [a-z0-9]";
    }
  }
  return {};
}

// HOST[:PORT] as docker-style clients accept it: DNS-ish labels or a bracketed IPv6 address.
bool valid_registry_host(std::string_view host) {
  std::string_view port;
  if (!host.empty() && host.front() == '[') {
    auto close = host.find(']');
    if (close == std::string_view::npos || close < 3) return false;
    for (char c : host.substr(1, close - 1)) {
      if (!(is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' ||
            c == '.')) {
        return false;
      }
    }
    std::string_view rest = host.substr(close + 1);
    if (rest.empty()) return true;
    if (rest.front() != ':') return false;
    port = rest.substr(1);
  } else {
    auto colon = host.find(':');
    std::string_view name = host.substr(0, colon);
    if (colon != std::string_view::npos) {
      port = host.substr(colon + 1);
      if (port.empty()) return false;
    }
    if (name.empty() || name.front() == '.' || name.back() == '.' || name.front() == '-' ||
        name.back() == '-' || name.find("..") != std::string_view::npos) {
      return false;
    }
    for (char c : name) {
      if (!(is_alnum(c) || c == '.' || c == '-')) return false;
    }
    if (colon == std::string_view::npos) return true;
  }
  if (port.empty() || port.size() > 5) return false;
  for (char c : port) {
    if (!is_digit(c)) return false;
  }
  return true;
}

}  // namespace

Result<void> validate_repository(std::string_view name) {
  if (name.empty()) return fail(ErrorCode::kInvalidArgument, "repository name is empty");
  if (name.size() > kMaxRepositoryLength) {
    return fail(ErrorCode::kInvalidArgument,
                "repository name longer than " + std::to_string(kMaxRepositoryLength) +
                    " characters");
  }
  size_t start = 0;
  while (true) {
    size_t slash = name.find('/', start);
    std::string_view component =
        name.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    std::string problem = component_problem(component);
    if (!problem.empty()) {
      return fail(ErrorCode::kInvalidArgument, "invalid repository name: " + problem);
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return ok();
}

Result<void> validate_tag(std::string_view tag) {
  if (tag.empty()) return fail(ErrorCode::kInvalidArgument, "tag is empty");
  if (tag.size() > 128) {
    return fail(ErrorCode::kInvalidArgument, "tag longer than 128 characters");
  }
  if (!(is_alnum(tag.front()) || tag.front() == '_')) {
    return fail(ErrorCode::kInvalidArgument, "tag must start with [a-zA-Z0-9_]");
  }
  for (char c : tag) {
    if (!(is_alnum(c) || c == '_' || c == '.' || c == '-')) {
      return fail(ErrorCode::kInvalidArgument,
                  "invalid character in tag (allowed: a-z A-Z 0-9 _ . -)");
    }
  }
  return ok();
}

Result<Reference> parse_reference(std::string_view text) {
  if (text.find(':') != std::string_view::npos) {
    BULWARK_ASSIGN_OR_RETURN(Digest digest, Digest::parse(text));
    return Reference(std::move(digest));
  }
  BULWARK_TRY_VOID(validate_tag(text));
  return Reference(std::string(text));
}

Result<ImageReference> parse_image_reference(std::string_view text) {
  ImageReference ref;
  std::string_view rest = text;
  if (auto at = rest.find('@'); at != std::string_view::npos) {
    auto digest = Digest::parse(rest.substr(at + 1));
    if (!digest) {
      return fail(ErrorCode::kInvalidArgument, "invalid digest in image reference: " +
                                                   digest.error().message);
    }
    ref.digest = std::move(*digest);
    rest = rest.substr(0, at);
  }
  // The tag follows the last ':' after the last '/' (a ':' before it belongs to a host port).
  size_t last_slash = rest.rfind('/');
  size_t tag_colon = rest.rfind(':');
  if (tag_colon != std::string_view::npos &&
      (last_slash == std::string_view::npos || tag_colon > last_slash)) {
    std::string_view tag = rest.substr(tag_colon + 1);
    auto valid = validate_tag(tag);
    if (!valid) return fail(ErrorCode::kInvalidArgument, "invalid image reference: " +
                                                           valid.error().message);
    ref.tag = std::string(tag);
    rest = rest.substr(0, tag_colon);
  }
  if (auto slash = rest.find('/'); slash != std::string_view::npos) {
    std::string_view first = rest.substr(0, slash);
    if (first.find_first_of(".:") != std::string_view::npos || first == "localhost") {
      if (!valid_registry_host(first)) {
        return fail(ErrorCode::kInvalidArgument, "invalid registry host in image reference");
      }
      ref.registry = std::string(first);
      rest = rest.substr(slash + 1);
    }
  }
  auto valid = validate_repository(rest);
  if (!valid) {
    return fail(ErrorCode::kInvalidArgument, "invalid image reference: " + valid.error().message);
  }
  ref.repository = std::string(rest);
  return ref;
}

std::string ImageReference::str() const {
  std::string out;
  if (!registry.empty()) {
    out += registry;
    out += '/';
  }
  out += repository;
  if (tag) {
    out += ':';
    out += *tag;
  }
  if (digest) {
    out += '@';
    out += digest->str();
  }
  return out;
}

}  // namespace bulwark::oci
