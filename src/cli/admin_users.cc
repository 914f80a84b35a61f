// `bulwark admin user create|list|passwd|disable|enable|delete`: local user accounts.
// Passwords come from stdin or are generated (and then printed once on stdout); there is no option
// that takes a password, so none ends up in shell history or the process list. Confirmations go to
// stderr so stdout carries only data (a generated password, a listing).
#include <algorithm>
#include <cctype>
#include <iostream>
#include <optional>

#include "auth/password.h"
#include "cli/admin_internal.h"

namespace bulwark::cli::admin {
namespace {

namespace json = boost::json;

constexpr size_t kMaxUserName = 128;

// Local user names: letters, digits and . _ @ - starting with a letter or digit. This keeps ':'
// (the basic-auth separator), '$' (robot names) and whitespace out.
Result<void> validate_user_name(std::string_view name) {
  auto allowed = [](unsigned char c) {
    return std::isalnum(c) != 0 || c == '.' || c == '_' || c == '@' || c == '-';
  };
  if (name.empty() || name.size() > kMaxUserName ||
      std::isalnum(static_cast<unsigned char>(name.front())) == 0 ||
      !std::all_of(name.begin(), name.end(), allowed)) {
    return fail(ErrorCode::kInvalidArgument,
                "invalid user name \"" + std::string(name) +
                    "\" (1-128 letters, digits, '.', '_', '@' or '-', starting with a letter or "
                    "digit)");
  }
  return ok();
}

struct PasswordSource {
  bool from_stdin = false;
  bool generate = false;
};

void add_password_source(CLI::App* cmd, PasswordSource& source) {
  CLI::Option* in = cmd->add_flag("--password-stdin", source.from_stdin,
                                  "read the password from stdin (up to EOF, one trailing newline "
                                  "removed)");
  CLI::Option* gen = cmd->add_flag("--generate-password", source.generate,
                                   "generate a random password and print it once on stdout");
  in->excludes(gen);
}

// The new password, from stdin or generated.
Result<std::string> obtain_password(const PasswordSource& source) {
  if (source.generate) return auth::generate_secret();
  if (source.from_stdin) return read_password_stdin();
  return fail(ErrorCode::kInvalidArgument,
              "give --password-stdin or --generate-password (a password is never accepted as a "
              "command-line argument)");
}

struct NewPassword {
  std::string hash;
  std::optional<std::string> generated;  // to print once, after the hash is stored
};

Result<NewPassword> new_password(const PasswordSource& source) {
  BULWARK_ASSIGN_OR_RETURN(std::string password, obtain_password(source));
  BULWARK_ASSIGN_OR_RETURN(std::string hash, auth::hash_password(password));
  NewPassword out{std::move(hash), std::nullopt};
  if (source.generate) out.generated = std::move(password);
  return out;
}

void print_generated(const NewPassword& password) {
  if (password.generated) std::cout << *password.generated << "\n";
}

// Refuses to disable or delete `name` when it is the last enabled administrator: nobody could
// then manage the registry through its API.
Result<void> keep_an_admin(metadata::IdentityStore& store, std::string_view name) {
  BULWARK_ASSIGN_OR_RETURN(std::vector<metadata::User> users, store.list_users());
  auto enabled_admin = [](const metadata::User& u) { return u.admin && !u.disabled; };
  auto self = std::find_if(users.begin(), users.end(),
                           [&](const metadata::User& u) { return u.name == name; });
  if (self == users.end() || !enabled_admin(*self)) return ok();
  if (std::count_if(users.begin(), users.end(), enabled_admin) > 1) return ok();
  return fail(ErrorCode::kConflict, "user " + std::string(name) +
                                        " is the last enabled administrator; create another "
                                        "administrator first");
}

struct CreateFlags {
  Common common;
  std::string name;
  std::string email;
  bool admin = false;
  PasswordSource password;
};

int create(const CreateFlags& f) {
  constexpr std::string_view what = "user create";
  if (auto valid = validate_user_name(f.name); !valid) return fail_with(what, valid.error());
  auto store = open_store(f.common);
  if (!store) return fail_with(what, store.error());
  auto existing = (*store)->get_user(f.name);
  if (!existing) return fail_with(what, existing.error());
  if (*existing) return fail_with(what, "user " + f.name + " already exists");
  // Checked first to spare the hashing; create_user still refuses a concurrent duplicate.
  auto password = new_password(f.password);
  if (!password) return fail_with(what, password.error());
  metadata::User user;
  user.name = f.name;
  user.email = f.email;
  user.admin = f.admin;
  user.password_hash = password->hash;
  if (auto created = (*store)->create_user(user); !created) {
    return fail_with(what, created.error());
  }
  print_generated(*password);
  std::cerr << "created " << (f.admin ? "administrator " : "user ") << f.name << "\n";
  return kExitOk;
}

struct ListFlags {
  Common common;
};

int list(const ListFlags& f) {
  auto store = open_store(f.common);
  if (!store) return fail_with("user list", store.error());
  auto users = (*store)->list_users();
  if (!users) return fail_with("user list", users.error());
  if (f.common.output == "json") {
    json::array out;
    for (const metadata::User& u : *users) {
      out.push_back(json::object{{"name", u.name},
                                 {"email", u.email},
                                 {"admin", u.admin},
                                 {"disabled", u.disabled},
                                 {"password_set", !u.password_hash.empty()},
                                 {"totp_enrolled", !u.totp_secret.empty()},
                                 {"created_at", u.created_at},
                                 {"updated_at", u.updated_at}});
    }
    print_json(out);
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows;
  auto yes_no = [](bool b) { return std::string(b ? "yes" : "no"); };
  for (const metadata::User& u : *users) {
    rows.push_back({u.name, yes_no(u.admin), yes_no(u.disabled), yes_no(!u.totp_secret.empty()),
                    u.email.empty() ? "-" : u.email, format_time(u.created_at),
                    format_time(u.updated_at)});
  }
  print_table({"NAME", "ADMIN", "DISABLED", "TOTP", "EMAIL", "CREATED", "UPDATED"}, rows);
  return kExitOk;
}

struct PasswdFlags {
  Common common;
  std::string name;
  PasswordSource password;
};

int passwd(const PasswdFlags& f) {
  constexpr std::string_view what = "user passwd";
  auto store = open_store(f.common);
  if (!store) return fail_with(what, store.error());
  auto existing = (*store)->get_user(f.name);
  if (!existing) return fail_with(what, existing.error());
  if (!*existing) return fail_with(what, "no user " + f.name);
  auto password = new_password(f.password);
  if (!password) return fail_with(what, password.error());
  if (auto set = (*store)->set_user_password_hash(f.name, password->hash); !set) {
    return fail_with(what, set.error());
  }
  print_generated(*password);
  std::cerr << "changed the password of " << f.name << "\n";
  return kExitOk;
}

struct NameFlags {
  Common common;
  std::string name;
};

// disable / enable / delete: one table row each.
struct NameAction {
  const char* verb;
  const char* help;
  Result<void> (*apply)(metadata::IdentityStore&, std::string_view name);
  const char* done;
};

Result<void> disable_user(metadata::IdentityStore& store, std::string_view name) {
  BULWARK_TRY_VOID(keep_an_admin(store, name));
  return store.set_user_disabled(name, true);
}

Result<void> enable_user(metadata::IdentityStore& store, std::string_view name) {
  return store.set_user_disabled(name, false);
}

Result<void> delete_user(metadata::IdentityStore& store, std::string_view name) {
  BULWARK_TRY_VOID(keep_an_admin(store, name));
  BULWARK_ASSIGN_OR_RETURN(bool deleted, store.delete_user(name));
  if (!deleted) return fail(ErrorCode::kNotFound, "no user " + std::string(name));
  return ok();
}

constexpr NameAction kNameActions[] = {
    {"disable", "Disable a user (it can no longer sign in)", disable_user, "disabled"},
    {"enable", "Enable a disabled user", enable_user, "enabled"},
    {"delete", "Delete a user and its direct project memberships", delete_user, "deleted"},
};

int run_name_action(const NameAction& action, const NameFlags& f) {
  const std::string what = std::string("user ") + action.verb;
  auto store = open_store(f.common);
  if (!store) return fail_with(what, store.error());
  if (auto done = action.apply(**store, f.name); !done) {
    return fail_with(what, done.error().code == ErrorCode::kNotFound ? "no user " + f.name
                                                                     : done.error().message);
  }
  std::cerr << action.done << " user " << f.name << "\n";
  return kExitOk;
}

}  // namespace

Leaves add_user_commands(CLI::App& admin) {
  CLI::App* group = admin.add_subcommand("user", "Manage local user accounts");
  group->require_subcommand(1);
  Leaves leaves;

  auto cf = std::make_shared<CreateFlags>();
  CLI::App* create_cmd = group->add_subcommand(
      "create", "Create a user; the password comes from stdin or is generated and printed once");
  add_common(create_cmd, cf->common, false);
  create_cmd->add_option("NAME", cf->name, "user name")->required();
  create_cmd->add_flag("--admin", cf->admin, "make the user a system administrator");
  create_cmd->add_option("--email", cf->email, "e-mail address");
  add_password_source(create_cmd, cf->password);
  leaves.push_back({create_cmd, [cf] { return create(*cf); }});

  auto lf = std::make_shared<ListFlags>();
  CLI::App* list_cmd = group->add_subcommand("list", "List users (never their secrets)");
  add_common(list_cmd, lf->common, true);
  leaves.push_back({list_cmd, [lf] { return list(*lf); }});

  auto pf = std::make_shared<PasswdFlags>();
  CLI::App* passwd_cmd = group->add_subcommand(
      "passwd", "Set a user's password from stdin, or generate one and print it once");
  add_common(passwd_cmd, pf->common, false);
  passwd_cmd->add_option("NAME", pf->name, "user name")->required();
  add_password_source(passwd_cmd, pf->password);
  leaves.push_back({passwd_cmd, [pf] { return passwd(*pf); }});

  for (const NameAction& action : kNameActions) {
    auto nf = std::make_shared<NameFlags>();
    CLI::App* cmd = group->add_subcommand(action.verb, action.help);
    add_common(cmd, nf->common, false);
    cmd->add_option("NAME", nf->name, "user name")->required();
    leaves.push_back({cmd, [nf, &action] { return run_name_action(action, *nf); }});
  }
  return leaves;
}

}  // namespace bulwark::cli::admin
