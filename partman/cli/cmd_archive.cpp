// partman archive list / restore: what retention archived where, and bringing a partition back.
#include <iostream>
#include <nlohmann/json.hpp>

#include "partman/archive/archive_record.hpp"
#include "partman/archive/progress.hpp"
#include "partman/archive/restore.hpp"
#include "partman/archive/storage.hpp"
#include "partman/cli/common.hpp"
#include "partman/core/errors.hpp"
#include "partman/core/names.hpp"
#include "partman/core/printable.hpp"
#include "partman/core/status.hpp"
#include "partman/run/archives.hpp"

namespace partman::cli {

namespace {

struct ListArgs
{
  std::string parent;
  std::string format = "text";
};

struct RestoreArgs
{
  std::string archive;
  archive::RestoreOptions options;
};

nlohmann::json optional_json(const std::optional<std::int64_t>& v)
{
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

std::string list_text(const std::vector<archive::ArchiveRecord>& records)
{
  if (records.empty())
    return "no archives\n";
  // Names, bounds, storage and errors from partman's tables go into lines that append_line escapes.
  std::string out;
  for (const auto& a : records) {
    std::string head = "#" + std::to_string(a.id) + "  " + core::to_string(a.state) + "  " +
                       core::quote_qualified(a.partition_schema, a.partition_name) + " of " +
                       core::quote_qualified(a.parent_schema, a.parent_table);
    if (!a.bound_from.empty())
      head += " [" + a.bound_from + ", " + a.bound_to + ")";
    else if (!a.bound.empty())
      head += " " + a.bound;
    core::append_line(out, head);
    std::string made = "    created " + a.created_at;
    if (!a.dropped_at.empty())
      made += ", table dropped " + a.dropped_at;
    if (a.rows)
      made += ", " + std::to_string(*a.rows) + " rows";
    if (a.raw_bytes && a.stored_bytes)
      made += ", " + core::human_bytes(static_cast<std::uint64_t>(*a.raw_bytes)) + " as COPY text, " +
              core::human_bytes(static_cast<std::uint64_t>(*a.stored_bytes)) + " stored";
    core::append_line(out, made);
    if (!a.object_key.empty()) {
      core::append_line(out, "    data:     " + a.storage + "/" + a.object_key);
      core::append_line(out, "    manifest: " + a.storage + "/" + a.manifest_key);
    }
    if (!a.sha256.empty())
      core::append_line(out, "    sha256:   " + a.sha256);
    if (!a.error.empty())
      core::append_line(out, "    error:    " + a.error);
  }
  return out;
}

std::string list_json(const std::vector<archive::ArchiveRecord>& records)
{
  nlohmann::json items = nlohmann::json::array();
  for (const auto& a : records) {
    items.push_back(
        {{"id", a.id},
         {"state", core::to_string(a.state)},
         {"parent", core::quote_qualified(a.parent_schema, a.parent_table)},
         {"partition", core::quote_qualified(a.partition_schema, a.partition_name)},
         {"bounds", a.bound_from.empty() ? nlohmann::json(nullptr)
                                         : nlohmann::json{{"from", a.bound_from}, {"to", a.bound_to}}},
         {"for_values", a.bound.empty() ? nlohmann::json(nullptr) : nlohmann::json(a.bound)},
         {"storage", a.storage},
         {"data",
          a.object_key.empty() ? nlohmann::json(nullptr) : nlohmann::json(a.storage + "/" + a.object_key)},
         {"manifest", a.manifest_key.empty() ? nlohmann::json(nullptr)
                                             : nlohmann::json(a.storage + "/" + a.manifest_key)},
         {"rows", optional_json(a.rows)},
         {"raw_bytes", optional_json(a.raw_bytes)},
         {"stored_bytes", optional_json(a.stored_bytes)},
         {"sha256", a.sha256.empty() ? nlohmann::json(nullptr) : nlohmann::json(a.sha256)},
         {"created_at", a.created_at},
         {"dropped_at", a.dropped_at.empty() ? nlohmann::json(nullptr) : nlohmann::json(a.dropped_at)},
         {"error", a.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(a.error)}});
  }
  return nlohmann::json{{"format", "partman-archives"}, {"version", 1}, {"archives", items}}.dump(2) + "\n";
}

int run_list(const Globals& globals, const ListArgs& args, const std::string& dsn, std::ostream& out)
{
  run::ArchiveListRequest request;
  static_cast<run::Target&>(request) = {dsn, globals.schema};
  request.parent = args.parent;
  const auto records = run::list_archives(request).archives;
  out << (args.format == "json" ? list_json(records) : list_text(records));
  return k_exit_ok;
}

long long parse_archive_id(const std::string& text)
{
  std::string digits = text;
  if (!digits.empty() && digits.front() == '#')
    digits.erase(0, 1);
  try {
    std::size_t used = 0;
    const long long id = std::stoll(digits, &used);
    if (used == digits.size() && id > 0)
      return id;
  } catch (const std::exception&) {
  }
  throw UsageError("invalid archive id '" + text +
                   "'; HINT: 'partman archive list' shows the ids (#17 or 17)");
}

int run_restore(const Globals& globals, const RestoreArgs& args)
{
  const long long id = parse_archive_id(args.archive);
  auto request = request_for<run::RestoreRequest>(globals, "restore");
  request.id = id;
  request.options = args.options;
  const run::RestoreReport report = run::restore(request);
  const archive::RestoreResult& r = report.result;
  print_line(std::cout, "restored archive #" + std::to_string(report.id) + " into " + r.table + ": " +
                            std::to_string(r.rows) + " rows, checksum verified" +
                            (r.attached ? "; attached to its parent again" : ""));
  if (r.attached)
    std::cout << "note: if its range is expired, the next 'partman apply' archives it again; change the "
                 "policy's retention first to keep it\n";
  return k_exit_ok;
}

} // namespace

void add_archive_commands(CLI::App& app, const Globals& globals, int& exit_code)
{
  auto* group = app.add_subcommand("archive", "Archives made by retention action 'archive'.");
  group->require_subcommand(1);
  group->footer("Examples:\n"
                "  partman archive list app.events");
  auto list_args = std::make_shared<ListArgs>();
  auto* list = group->add_subcommand(
      "list", "Show each archive: its id, state (detaching, detached, dropped, failed),\n"
              "partition and bounds, rows, bytes, SHA-256, and where its data and manifest are.");
  list->add_option("PARENT", list_args->parent, "Only the archives of this parent");
  list->footer("Examples:\n"
               "  partman archive list\n"
               "  partman archive list app.events -f json");
  list->add_option("-f,--format", list_args->format, "text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  list->callback([&globals, &exit_code, list_args] {
    const DatabaseJob job = [&](const std::string& dsn, std::ostream& out) {
      return run_list(globals, *list_args, dsn, out);
    };
    exit_code = run_guarded([&] { return for_each_database(globals, job); }, std::cerr);
  });

  auto restore_args = std::make_shared<RestoreArgs>();
  auto* restore = app.add_subcommand(
      "restore", "Bring an archived partition back from storage: as a table (its own name, or --into),\n"
                 "or attached to its parent again (--attach). The copy's rows and checksum are checked\n"
                 "before the restore commits; on any mismatch nothing is created.");
  restore->add_option("ARCHIVE", restore_args->archive, "The archive id, as 'partman archive list' shows it")
      ->required();
  restore->footer("Examples:\n"
                  "  partman restore 17 --into app.events_back\n"
                  "  partman restore 17 --attach");
  restore->add_option("--into", restore_args->options.into,
                      "Create this table instead (schema.table as SQL writes it; must not exist)");
  restore->add_flag("--attach", restore_args->options.attach,
                    "Create it shaped like the parent and attach it with its original bounds");
  restore->callback([&globals, &exit_code, restore_args] {
    exit_code = run_guarded([&] { return run_restore(globals, *restore_args); }, std::cerr);
  });
}

} // namespace partman::cli
