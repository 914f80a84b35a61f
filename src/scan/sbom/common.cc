#include "scan/sbom/common.h"

#include <cstdint>
#include <cstdio>
#include <optional>

#include "common/clock.h"
#include "common/digest.h"
#include "oci/reference.h"
#include "scan/purl.h"

namespace bulwark::scan {
namespace {

constexpr std::string_view kEpoch = "1970-01-01T00:00:00Z";

struct Civil {
  int64_t year;
  unsigned month, day;
};

Civil civil_from_days(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<int64_t>(yoe) + era * 400 + (m <= 2), m, d};
}

// Decodes one UTF-8 sequence at `s[i]`; returns its length, or 0 when invalid.
size_t utf8_sequence(std::string_view s, size_t i, uint32_t& code_point) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char b0 = byte(i);
  if (b0 < 0x80) {
    code_point = b0;
    return 1;
  }
  size_t len;
  uint32_t cp, min;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  code_point = cp;
  return len;
}

// Characters a terminal would act on: C0/C1 controls, DEL, and the bidirectional overrides and
// isolates that can make text display differently from what it is.
bool unsafe_for_terminal(uint32_t cp) {
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2066 && cp <= 0x2069);
}

std::string_view strip_transport(std::string_view ref) {
  constexpr std::string_view kDocker = "docker://";
  if (ref.substr(0, kDocker.size()) == kDocker) ref.remove_prefix(kDocker.size());
  return ref;
}

}  // namespace

std::string sbom_timestamp(std::string_view created) {
  auto seconds = bulwark::parse_rfc3339(created);
  if (!seconds) return std::string(kEpoch);
  int64_t days = *seconds >= 0 ? *seconds / 86400 : (*seconds - 86399) / 86400;
  int64_t rest = *seconds - days * 86400;
  Civil c = civil_from_days(days);
  if (c.year < 0 || c.year > 9999) return std::string(kEpoch);
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(c.year),
                c.month, c.day, static_cast<int>(rest / 3600), static_cast<int>(rest / 60 % 60),
                static_cast<int>(rest % 60));
  return buf;
}

std::string sha256_hex(std::string_view bytes) { return Digest::of(bytes).hex(); }

std::string uuid_from(std::string_view seed) {
  std::string hex = sha256_hex(seed).substr(0, 32);
  hex[12] = '4';  // version 4
  static constexpr char kVariant[] = "89ab";
  hex[16] = kVariant[(hex[16] >= 'a' ? hex[16] - 'a' + 10 : hex[16] - '0') & 0x3];  // RFC 4122
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

namespace {

// `text` with each invalid UTF-8 byte replaced by U+FFFD, and each code point for which
// `replace` is true replaced by '?'.
std::string sanitize_utf8(std::string_view text, bool (*replace)(uint32_t cp)) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    uint32_t cp = 0;
    size_t len = utf8_sequence(text, i, cp);
    if (len == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD
      ++i;
      continue;
    }
    if (replace != nullptr && replace(cp)) {
      out += '?';
    } else {
      out.append(text.substr(i, len));
    }
    i += len;
  }
  return out;
}

}  // namespace

std::string valid_utf8(std::string_view text) { return sanitize_utf8(text, nullptr); }

std::string printable(std::string_view text) { return sanitize_utf8(text, unsafe_for_terminal); }

std::string package_purl(const Package& package, const Inventory& inventory) {
  return package.purl.empty() ? purl_of(package, inventory.os) : package.purl;
}

std::string display_name(const Package& package) {
  // Ecosystems whose namespace is part of the package's name (an OS package's is its vendor).
  struct Qualified {
    std::string_view type, separator;
  };
  static constexpr Qualified kQualified[] = {
      {"npm", "/"}, {"golang", "/"}, {"composer", "/"}, {"maven", ":"}};
  if (!package.namespace_.empty()) {
    for (const auto& q : kQualified) {
      if (q.type == package.type)
        return package.namespace_ + std::string(q.separator) + package.name;
    }
  }
  return package.name;
}

std::string display_version(const Package& package) {
  if (package.epoch && *package.epoch != 0) {
    return std::to_string(*package.epoch) + ":" + package.version;
  }
  return package.version;
}

std::string_view layer_digest(const Package& package, const Inventory& inventory) {
  if (package.layer < 0 || static_cast<size_t>(package.layer) >= inventory.layers.size()) return {};
  return inventory.layers[static_cast<size_t>(package.layer)].digest;
}

std::string image_purl(const Inventory& inventory) {
  if (inventory.manifest_digest.empty()) return {};
  PurlParts parts;
  parts.type = "oci";
  parts.version = inventory.manifest_digest;
  std::string_view ref = strip_transport(inventory.name);
  if (auto parsed = oci::parse_image_reference(ref)) {
    const std::string& repo = parsed->repository;
    parts.name = repo.substr(repo.rfind('/') == std::string::npos ? 0 : repo.rfind('/') + 1);
    parts.qualifiers.emplace_back("repository_url",
                                  parsed->registry.empty() ? repo : parsed->registry + "/" + repo);
    if (parsed->tag) parts.qualifiers.emplace_back("tag", *parsed->tag);
  } else {
    // oci:DIR[:TAG], docker-archive:FILE, or no valid repository: name it after the last path
    // component, without a transport prefix or a tag.
    std::string_view rest = ref;
    if (auto colon = rest.find(':'); colon != std::string_view::npos &&
                                     rest.substr(0, colon).find('/') == std::string_view::npos) {
      rest.remove_prefix(colon + 1);
    }
    while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
    rest = rest.substr(rest.rfind('/') == std::string_view::npos ? 0 : rest.rfind('/') + 1);
    rest = rest.substr(0, rest.find(':'));
    parts.name = rest.empty() ? "image" : std::string(rest);
  }
  // platform "os/arch[/variant]": the architecture.
  std::string_view platform = inventory.platform;
  if (auto slash = platform.find('/'); slash != std::string_view::npos) {
    std::string_view arch = platform.substr(slash + 1);
    parts.qualifiers.emplace_back("arch", std::string(arch.substr(0, arch.find('/'))));
  }
  return build_purl(parts);
}

std::string image_name(const Inventory& inventory) {
  if (!inventory.name.empty()) return inventory.name;
  if (!inventory.manifest_digest.empty()) return inventory.manifest_digest;
  return "image";
}

}  // namespace bulwark::scan
