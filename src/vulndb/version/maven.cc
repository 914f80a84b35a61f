// Maven versions, ordered as org.apache.maven.artifact.versioning.ComparableVersion (Maven 3.8):
// the version is split at '.', '-' and digit/letter transitions into a tree of lists (a '-' or
// a transition opens a sub-list); trailing nulls (0, "", "final", "ga", "release", empty lists)
// are dropped; numbers compare numerically; qualifiers order alpha < beta < milestone < rc = cr <
// snapshot < "" = final = ga = release < sp < anything else (alphabetically); single letters a,
// b and m directly followed by a digit mean alpha, beta and milestone. Case-insensitive.
// Like Maven's, this order is not transitive where a 0 segment meets a qualifier (scheme.h).
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "vulndb/version/compare_util.h"
#include "vulndb/version/comparators.h"

namespace bulwark::vulndb::version_detail {
namespace {

struct Item {
  enum Kind { kInt, kString, kList } kind;
  std::string value;  // kInt: digits; kString: the comparable qualifier key
  std::vector<std::unique_ptr<Item>> items;  // kList

  bool is_null() const {
    switch (kind) {
      case kInt: return compare_digits(value, "0") == 0;
      case kString: return value == "5";
      case kList: return items.empty();
    }
    return false;
  }
};

constexpr std::string_view kQualifiers[] = {"alpha", "beta", "milestone", "rc", "snapshot", "", "sp"};

// comparableQualifier(): the index of a known qualifier, else "7-" + qualifier.
std::string qualifier_key(std::string value, bool followed_by_digit) {
  if (followed_by_digit && value.size() == 1) {
    if (value == "a") value = "alpha";
    else if (value == "b") value = "beta";
    else if (value == "m") value = "milestone";
  }
  if (value == "ga" || value == "final" || value == "release") value = "";
  if (value == "cr") value = "rc";
  for (size_t i = 0; i < std::size(kQualifiers); ++i) {
    if (kQualifiers[i] == value) return std::string(1, static_cast<char>('0' + i));
  }
  return std::to_string(std::size(kQualifiers)) + "-" + value;
}

std::unique_ptr<Item> make_item(bool digit, std::string_view text, bool followed_by_digit = false) {
  auto item = std::make_unique<Item>();
  if (digit) {
    item->kind = Item::kInt;
    item->value = std::string(text);
  } else {
    item->kind = Item::kString;
    item->value = qualifier_key(std::string(text), followed_by_digit);
  }
  return item;
}

Item* add_list(Item* list) {
  auto sub = std::make_unique<Item>();
  sub->kind = Item::kList;
  Item* raw = sub.get();
  list->items.push_back(std::move(sub));
  return raw;
}

void normalize(Item* list) {
  for (size_t i = list->items.size(); i-- > 0;) {
    if (list->items[i]->is_null()) {
      list->items.erase(list->items.begin() + static_cast<std::ptrdiff_t>(i));
    } else if (list->items[i]->kind != Item::kList) {
      break;
    }
  }
}

// ComparableVersion.parseVersion().
Item parse(std::string_view text) {
  std::string v(text);
  for (char& c : v) c = to_lower(c);
  Item root{Item::kList, {}, {}};
  Item* list = &root;
  std::vector<Item*> stack{list};
  bool digit = false;
  size_t start = 0;
  auto zero = [] { return make_item(true, "0"); };
  for (size_t i = 0; i < v.size(); ++i) {
    const char c = v[i];
    if (c == '.' || c == '-') {
      list->items.push_back(i == start ? zero() : make_item(digit, v.substr(start, i - start)));
      start = i + 1;
      if (c == '-') {
        list = add_list(list);
        stack.push_back(list);
      }
    } else if (is_digit(c)) {
      if (!digit && i > start) {
        list->items.push_back(make_item(false, v.substr(start, i - start), true));
        start = i;
        list = add_list(list);
        stack.push_back(list);
      }
      digit = true;
    } else {
      if (digit && i > start) {
        list->items.push_back(make_item(true, v.substr(start, i - start)));
        start = i;
        list = add_list(list);
        stack.push_back(list);
      }
      digit = false;
    }
  }
  if (v.size() > start) list->items.push_back(make_item(digit, v.substr(start)));
  while (!stack.empty()) {
    normalize(stack.back());
    stack.pop_back();
  }
  return root;
}

int compare(const Item& x, const Item* y);

// x.compareTo(null): how x compares with a missing item.
int compare_null(const Item& x) {
  switch (x.kind) {
    case Item::kInt: return x.is_null() ? 0 : 1;
    case Item::kString: return sign(x.value.compare("5"));
    case Item::kList:
      for (const auto& item : x.items) {
        if (int r = compare_null(*item)) return r;
      }
      return 0;
  }
  return 0;
}

int compare(const Item& x, const Item* y) {
  if (y == nullptr) return compare_null(x);
  switch (x.kind) {
    case Item::kInt:
      return y->kind == Item::kInt ? compare_digits(x.value, y->value) : 1;
    case Item::kString:
      return y->kind == Item::kString ? sign(x.value.compare(y->value)) : -1;
    case Item::kList:
      if (y->kind == Item::kInt) return -1;
      if (y->kind == Item::kString) return 1;
      for (size_t i = 0; i < x.items.size() || i < y->items.size(); ++i) {
        const Item* l = i < x.items.size() ? x.items[i].get() : nullptr;
        const Item* r = i < y->items.size() ? y->items[i].get() : nullptr;
        int result = l == nullptr ? -compare(*r, l) : compare(*l, r);
        if (result) return result;
      }
      return 0;
  }
  return 0;
}

// ComparableVersion accepts any string; we accept printable ASCII without spaces.
bool maven_valid(std::string_view v) {
  if (v.empty()) return false;
  for (char c : v) {
    if (c <= ' ' || c > '~') return false;
  }
  return true;
}

int maven_compare_valid(std::string_view a, std::string_view b) {
  Item x = parse(a), y = parse(b);
  return compare(x, &y);
}

int maven_compare(std::string_view a, std::string_view b) {
  return compare_checked(a, b, maven_valid, maven_compare_valid);
}

}  // namespace

const VersionScheme kMavenScheme{"maven", maven_compare, maven_valid};

}  // namespace bulwark::vulndb::version_detail
