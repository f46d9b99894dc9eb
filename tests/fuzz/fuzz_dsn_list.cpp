// Fuzz target: a --dsn-file (one conninfo or URI a line) and what partman prints about each database: its
// description in a fleet's output and a connection error with its password masked. A bad line must be
// refused with UsageError, and a masked message must not hold the password.
#include <cstddef>
#include <cstdint>
#include <libpq-fe.h>
#include <sstream>
#include <string>

#include "fuzz_check.hpp"
#include "partman/core/errors.hpp"
#include "partman/db/session.hpp"

namespace {

// Returns the password a conninfo gives, or "" (also when libpq cannot parse it).
std::string password_of(const std::string& dsn)
{
  PQconninfoOption* options = PQconninfoParse(dsn.c_str(), nullptr);
  std::string out;
  for (PQconninfoOption* o = options; o && o->keyword; ++o) {
    if (std::string(o->keyword) == "password" && o->val)
      out = o->val;
  }
  PQconninfoFree(options);
  return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  for (const auto& dsn : partman::db::read_dsn_list(in)) {
    // Blank lines, comments and surrounding spaces are not databases.
    partman::fuzz::check(!dsn.empty() && dsn[0] != '#' && dsn.front() != ' ' && dsn.back() != ' ');
    try {
      partman::db::describe_dsn(dsn);
      const std::string password = password_of(dsn);
      const std::string masked = partman::db::mask_password(
          "connection to server failed: password \"" + password + "\" refused\n", dsn);
      // The password does not show (one with a '*' could be made up anew from the mask and the text next
      // to it).
      partman::fuzz::check(password.empty() || password.find('*') != std::string::npos ||
                           masked.find(password) == std::string::npos);
    } catch (const partman::UsageError&) {
    }
  }
  return 0;
}
