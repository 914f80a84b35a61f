// `bulwark admin user create|list|passwd|disable|enable|delete|totp enrol|totp remove`: local
// user accounts, through api::AdminService. Passwords come from stdin or are generated (and then
// printed once on stdout); there is no option that takes a password, so none ends up in shell
// history or the process list. Confirmations go to stderr so stdout carries only data (a
// generated password, a TOTP enrolment, a listing).
#include <iostream>
#include <optional>

#include "api/views.h"
#include "cli/admin_internal.h"

namespace bulwark::cli::admin {
namespace {

namespace json = boost::json;

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

// The password to set (nullopt: let the service generate one), from the flags.
Result<std::optional<std::string>> password_of(const PasswordSource& source) {
  if (source.generate) return std::optional<std::string>();
  if (source.from_stdin) {
    BULWARK_ASSIGN_OR_RETURN(std::string password, read_password_stdin());
    return std::optional<std::string>(std::move(password));
  }
  return fail(ErrorCode::kInvalidArgument,
              "give --password-stdin or --generate-password (a password is never accepted as a "
              "command-line argument)");
}

void print_generated(const std::optional<std::string>& generated) {
  if (generated) std::cout << *generated << "\n";
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
  auto password = password_of(f.password);
  if (!password) return fail_with(what, password.error());
  auto admin = open_admin(f.common);
  if (!admin) return fail_with(what, admin.error());
  auto created = (*admin)->service->create_user(
      (*admin)->actor, api::NewUser{f.name, f.email, f.admin, std::move(*password)});
  if (!created) return fail_with(what, created.error());
  print_generated(created->generated_password);
  std::cerr << "created " << (f.admin ? "administrator " : "user ") << f.name << "\n";
  return kExitOk;
}

struct ListFlags {
  Common common;
};

int list(const ListFlags& f) {
  auto admin = open_admin(f.common);
  if (!admin) return fail_with("user list", admin.error());
  auto users = (*admin)->service->list_users((*admin)->actor);
  if (!users) return fail_with("user list", users.error());
  if (f.common.output == "json") {
    json::array out;
    for (const api::UserInfo& u : *users) out.push_back(api::user_json(u, /*with_source=*/false));
    print_json(out);
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows;
  auto yes_no = [](bool b) { return std::string(b ? "yes" : "no"); };
  for (const api::UserInfo& u : *users) {
    rows.push_back({u.name, yes_no(u.admin), yes_no(u.disabled), yes_no(u.totp_enrolled),
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
  auto password = password_of(f.password);
  if (!password) return fail_with(what, password.error());
  auto admin = open_admin(f.common);
  if (!admin) return fail_with(what, admin.error());
  auto set = (*admin)->service->set_password((*admin)->actor, f.name, std::move(*password));
  if (!set) return fail_with(what, set.error());
  print_generated(*set);
  std::cerr << "changed the password of " << f.name << "\n";
  return kExitOk;
}

struct NameFlags {
  Common common;
  std::string name;
};

// disable / enable / delete / totp remove: one table row each.
struct NameAction {
  const char* verb;
  const char* help;
  api::AdminResult<void> (*apply)(Admin&, const std::string& name);
  const char* done;
};

constexpr NameAction kNameActions[] = {
    {"disable", "Disable a user (it can no longer sign in)",
     [](Admin& a, const std::string& n) { return a.service->set_user_disabled(a.actor, n, true); },
     "disabled user"},
    {"enable", "Enable a disabled user",
     [](Admin& a, const std::string& n) { return a.service->set_user_disabled(a.actor, n, false); },
     "enabled user"},
    {"delete", "Delete a user and its direct project memberships",
     [](Admin& a, const std::string& n) { return a.service->delete_user(a.actor, n); },
     "deleted user"},
};
constexpr NameAction kTotpRemove = {
    "remove", "Remove a user's TOTP second factor",
    [](Admin& a, const std::string& n) { return a.service->remove_totp(a.actor, n); },
    "removed the TOTP second factor of"};

int run_name_action(std::string_view group, const NameAction& action, const NameFlags& f) {
  const std::string what = std::string(group) + " " + action.verb;
  auto admin = open_admin(f.common);
  if (!admin) return fail_with(what, admin.error());
  if (auto done = action.apply(**admin, f.name); !done) return fail_with(what, done.error());
  std::cerr << action.done << " " << f.name << "\n";
  return kExitOk;
}

// `user totp enrol NAME`: prints the otpauth:// URI and the secret once.
int totp_enrol(const NameFlags& f) {
  constexpr std::string_view what = "user totp enrol";
  auto admin = open_admin(f.common);
  if (!admin) return fail_with(what, admin.error());
  auto enrolled = (*admin)->service->enrol_totp((*admin)->actor, f.name);
  if (!enrolled) return fail_with(what, enrolled.error());
  if (f.common.output == "json") {
    print_json(json::object{{"secret", enrolled->secret}, {"uri", enrolled->uri}});
  } else {
    std::cout << "secret:  " << enrolled->secret << "\nuri:     " << enrolled->uri << "\n";
  }
  std::cerr << "enrolled " << f.name
            << " for TOTP: add the URI (as a QR code) or the secret to an authenticator app now; "
               "it is not shown again\n";
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
    leaves.push_back({cmd, [nf, &action] { return run_name_action("user", action, *nf); }});
  }

  CLI::App* totp = group->add_subcommand(
      "totp", "Manage a user's TOTP second factor (needed to log in to the management API)");
  totp->require_subcommand(1);
  auto ef = std::make_shared<NameFlags>();
  CLI::App* enrol_cmd = totp->add_subcommand(
      "enrol", "Enrol a user for TOTP; prints the otpauth:// URI and the secret once");
  add_common(enrol_cmd, ef->common, true);
  enrol_cmd->add_option("NAME", ef->name, "user name")->required();
  leaves.push_back({enrol_cmd, [ef] { return totp_enrol(*ef); }});
  auto rf = std::make_shared<NameFlags>();
  CLI::App* remove_cmd = totp->add_subcommand(kTotpRemove.verb, kTotpRemove.help);
  add_common(remove_cmd, rf->common, false);
  remove_cmd->add_option("NAME", rf->name, "user name")->required();
  leaves.push_back({remove_cmd, [rf] { return run_name_action("user totp", kTotpRemove, *rf); }});
  return leaves;
}

}  // namespace bulwark::cli::admin
