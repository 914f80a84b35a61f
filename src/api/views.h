// JSON views of the administrative objects, shared by the management API and `bulwark admin -o
// json`, so that both print the same documents. They show what the *Info types and the metadata
// rows hold, which is never a hash or secret (TOTP enrolment and password presence are booleans).
//
// Pure functions; thread-safe.
#pragma once

#include <boost/json.hpp>

#include "api/admin_service.h"
#include "metadata/identity_store.h"

namespace bulwark::api {

// {"name","email","admin","disabled","password_set","totp_enrolled","created_at","updated_at"}
// plus "source" when `with_source` (the API; the CLI listing keeps its historical keys).
boost::json::object user_json(const UserInfo& user, bool with_source = true);
// {"name","visibility","environment","allowed_networks","created_at"}
boost::json::object project_json(const metadata::Project& project);
// {"kind","name","role","updated_at"}
boost::json::object member_json(const metadata::Member& member);
// {"name","project","kind","rules","description","status","expires_at","revoked_at",
//  "created_by","created_at","updated_at","allowed_networks"}
boost::json::object robot_json(const RobotInfo& robot);
// {"name","secret","expires_at"}: the one time a secret is shown.
boost::json::object issued_json(const IssuedRobot& issued);

// A JSON array of strings.
boost::json::array string_array(const std::vector<std::string>& values);

}  // namespace bulwark::api
