#include "vulndb/version/compare_util.h"

namespace bulwark::vulndb::version_detail {

bool split_semver_identifiers(std::string_view s, bool prerelease, std::vector<std::string_view>* out) {
  while (true) {
    const size_t dot = s.find('.');
    std::string_view id = s.substr(0, dot);
    if (id.empty()) return false;
    for (char c : id) {
      if (!semver_ident_char(c)) return false;
    }
    if (prerelease && all_digits(id) && id.size() > 1 && id[0] == '0') return false;
    if (out != nullptr) out->push_back(id);
    if (dot == std::string_view::npos) return true;
    s.remove_prefix(dot + 1);
  }
}

EpochVersionRelease split_evr(std::string_view v) {
  EpochVersionRelease e;
  if (size_t colon = v.find(':'); colon != std::string_view::npos) {
    e.epoch = v.substr(0, colon);
    e.has_epoch = true;
    v.remove_prefix(colon + 1);
  }
  if (size_t dash = v.rfind('-'); dash != std::string_view::npos) {
    e.release = v.substr(dash + 1);
    e.has_release = true;
    v = v.substr(0, dash);
  }
  e.version = v;
  return e;
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!is_digit(c)) return false;
  }
  return true;
}

int compare_digits(std::string_view a, std::string_view b) {
  while (!a.empty() && a.front() == '0') a.remove_prefix(1);
  while (!b.empty() && b.front() == '0') b.remove_prefix(1);
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  return sign(a.compare(b));
}

int compare_bytes(std::string_view a, std::string_view b) { return sign(a.compare(b)); }

int compare_checked(std::string_view a, std::string_view b, bool (*valid)(std::string_view),
                    int (*cmp)(std::string_view, std::string_view)) {
  const bool va = valid(a);
  const bool vb = valid(b);
  if (va && vb) return sign(cmp(a, b));
  if (va != vb) return va ? -1 : 1;
  return compare_bytes(a, b);
}

}  // namespace bulwark::vulndb::version_detail
