// Where the CLI finds the data directory and the vulnerability database (`bulwark scan`,
// `bulwark db ...`), as `bulwark serve` does (common/config.h), so that `db import` writes the
// database the server reads:
//   data directory: --data, else $BULWARK_DATA, else ./var;
//   database:       --db, else $BULWARK_VULNDB, else <data directory>/vulndb.sqlite.
// Empty values count as unset. Reads the environment; thread-safe as getenv is.
#pragma once

#include <filesystem>
#include <string_view>

namespace bulwark::cli {

// `data_flag` (--data) when non-empty, else $BULWARK_DATA, else "./var".
std::filesystem::path data_dir(std::string_view data_flag);

// The database when --db is not given: $BULWARK_VULNDB, else `data_dir`/vulndb.sqlite.
std::filesystem::path default_vulndb_path(const std::filesystem::path& data_dir);

// `db_flag` (--db) when non-empty, else default_vulndb_path(data_dir(data_flag)).
std::filesystem::path vulndb_path(std::string_view db_flag, std::string_view data_flag);

// The help of --data and --db, the same in every command that takes them.
inline constexpr const char* kDataFlagHelp = "data directory (default $BULWARK_DATA, else ./var)";
inline constexpr const char* kDbFlagHelp =
    "vulnerability database file (default $BULWARK_VULNDB, else <data>/vulndb.sqlite)";

}  // namespace bulwark::cli
