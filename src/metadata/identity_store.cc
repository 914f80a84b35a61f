#include "metadata/identity_store.h"

#include <utility>

namespace bulwark::metadata {

std::string_view project_of(std::string_view repository) {
  return repository.substr(0, repository.find('/'));
}

namespace {

// One table per enum: each value and its stable storage name.
constexpr std::pair<Visibility, std::string_view> kVisibilityNames[] = {
    {Visibility::kPublic, "public"},
    {Visibility::kPrivate, "private"},
};
constexpr std::pair<Environment, std::string_view> kEnvironmentNames[] = {
    {Environment::kDevelopment, "development"},
    {Environment::kStaging, "staging"},
    {Environment::kProduction, "production"},
};
constexpr std::pair<PrincipalKind, std::string_view> kPrincipalKindNames[] = {
    {PrincipalKind::kUser, "user"},
    {PrincipalKind::kGroup, "group"},
};
constexpr std::pair<Role, std::string_view> kRoleNames[] = {
    {Role::kProjectAdmin, "project_admin"},
    {Role::kMaintainer, "maintainer"},
    {Role::kDeveloper, "developer"},
    {Role::kGuest, "guest"},
};

template <class E, size_t N>
std::string_view name_of(const std::pair<E, std::string_view> (&table)[N], E value) {
  for (const auto& [v, name] : table) {
    if (v == value) return name;
  }
  return "unknown";
}

template <class E, size_t N>
std::optional<E> value_of(const std::pair<E, std::string_view> (&table)[N], std::string_view name) {
  for (const auto& [v, n] : table) {
    if (n == name) return v;
  }
  return std::nullopt;
}

}  // namespace

std::string_view visibility_name(Visibility value) { return name_of(kVisibilityNames, value); }
std::string_view environment_name(Environment value) { return name_of(kEnvironmentNames, value); }
std::string_view principal_kind_name(PrincipalKind value) {
  return name_of(kPrincipalKindNames, value);
}
std::string_view role_name(Role value) { return name_of(kRoleNames, value); }

std::optional<Visibility> parse_visibility(std::string_view name) {
  return value_of(kVisibilityNames, name);
}
std::optional<Environment> parse_environment(std::string_view name) {
  return value_of(kEnvironmentNames, name);
}
std::optional<PrincipalKind> parse_principal_kind(std::string_view name) {
  return value_of(kPrincipalKindNames, name);
}
std::optional<Role> parse_role(std::string_view name) { return value_of(kRoleNames, name); }

}  // namespace bulwark::metadata
