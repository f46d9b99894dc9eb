#include "partman/run/archives.hpp"

#include "partman/core/errors.hpp"
#include "partman/db/installer.hpp"
#include "partman/db/policy_store.hpp"
#include "partman/run/primary.hpp"

namespace partman::run {

ArchiveListReport list_archives(const ArchiveListRequest& request)
{
  db::SessionOptions session;
  session.read_only = true;
  auto conn = db::open_session(request.dsn, session);
  db::require_schema(*conn, request.schema);
  std::optional<std::pair<std::string, std::string>> parent;
  if (!request.parent.empty()) {
    try {
      parent = db::resolve_tables(*conn, {request.parent}).front();
    } catch (const UsageError&) {
      // The parent may be gone while its archives remain: match the name as written.
      const auto dot = request.parent.find('.');
      parent = dot == std::string::npos
                   ? std::make_pair(std::string("public"), request.parent)
                   : std::make_pair(request.parent.substr(0, dot), request.parent.substr(dot + 1));
    }
  }
  return {archive::list_archives(*conn, request.schema, parent)};
}

RestoreReport restore(const RestoreRequest& request)
{
  auto conn = open_primary(request.dsn, {}, "restore");
  db::require_schema(*conn, request.schema);
  return {request.id, archive::restore_archive(*conn, request.schema, request.id, request.options)};
}

} // namespace partman::run
