// partman drain-default: parse the options, call run::drain_default, print its steps as they go and what
// stays in the default partition.
#include <iostream>

#include "partman/cli/common.hpp"
#include "partman/core/errors.hpp"
#include "partman/run/drain_default.hpp"

namespace partman::cli {

namespace {

struct DrainArgs
{
  std::string parent;
  std::string at;
  LockArgs locks;
  int batch_size = 10000;
};

// How many ranges that stay are listed.
constexpr std::size_t k_listed = 10;

// Prints a drain's steps as they happen.
class DrainPrinter : public run::DrainObserver
{
public:
  void started(const run::DrainReport& r) override
  {
    print_line(std::cout, r.parent + ": default partition " + r.default_partition + " holds " +
                              std::to_string(r.held) + " rows");
  }
  void creating(const std::string& range, const std::string& partition) override
  {
    print_line(std::cout, "  " + range + ": creating " + partition + " and moving its rows into it");
    std::cout << std::flush;
  }
  void action_done(const run::DrainAction& a) override
  {
    if (a.status == db::ActionOutcome::Status::ok)
      print_line(std::cout, "    created " + a.partition + " (moved " + std::to_string(a.moved) +
                                " rows in batches, the last ones with the attach)");
    else
      print_line(std::cout, "    " + std::string(db::to_string(a.status)) + ": " + a.error);
  }
};

// Prints how the drain ended.
void print_drain(const run::DrainReport& r)
{
  if (r.standby) {
    std::cout << "the server is a standby (in recovery): nothing to do here; partman works on the primary\n";
    return;
  }
  if (r.busy) {
    print_line(std::cout, r.parent + ": another partman run is working on this parent; try again later");
    return;
  }
  if (r.no_default) {
    print_line(std::cout, r.parent + " has no default partition: nothing to drain");
    return;
  }
  print_line(std::cout, r.parent + ": " + std::to_string(r.created) + " partition(s) created, " +
                            std::to_string(r.moved) + " rows moved in batches; " + std::to_string(r.left) +
                            " rows stay in " + r.default_partition);
  for (const auto& a : r.actions) {
    if (a.status != db::ActionOutcome::Status::ok) // the real cause, not rows that fit nowhere
      print_line(std::cout, "  stopped: " + std::string(core::to_string(a.kind)) + " " + a.partition + " " +
                                db::to_string(a.status) + ": " + a.error);
  }
  if (r.left == 0)
    return;
  if (!r.stays.empty() || r.null_keys != 0)
    std::cout << "  rows that fit no partition partman can create:\n";
  for (std::size_t i = 0; i < r.stays.size() && i < k_listed; ++i)
    print_line(std::cout, "    " + r.stays[i]);
  if (r.stays.size() > k_listed)
    std::cout << "    ... and " << r.stays.size() - k_listed << " more range(s)\n";
  if (r.null_keys != 0)
    std::cout << "    " << r.null_keys
              << " rows with a NULL key (no partition of a RANGE or LIST parent takes "
              << "NULL unless one is made for it)\n";
  if (r.failed)
    std::cout << "  the drain stopped at that failure: the rows after it were not tried; fix it and run "
                 "drain-default again\n";
  std::string examples;
  for (const auto& e : r.examples)
    examples += (examples.empty() ? "" : ", ") + e;
  print_line(std::cout, "  for example the keys " + examples);
}

// Moves what it can; returns the exit code.
int run_drain(const Globals& globals, const DrainArgs& args)
{
  const core::Micros now = resolve_now(args.at);
  auto request = request_for<run::DrainRequest>(globals, "drain-default");
  request.now = now;
  request.parent = args.parent;
  request.locks = args.locks;
  request.batch_size = args.batch_size;
  DrainPrinter printer;
  const run::DrainReport report = run::drain_default(request, printer);
  print_drain(report);
  return exit_code_of(report);
}

} // namespace

void add_drain_command(CLI::App& app, const Globals& globals, int& exit_code)
{
  auto args = std::make_shared<DrainArgs>();
  auto* cmd = app.add_subcommand(
      "drain-default",
      "Move the rows of a parent's default partition into the partitions its policy gives them:\n"
      "each such partition is created (unattached), its rows moved in batches of their own short\n"
      "transactions, then attached with the last ones in one transaction. Rows that fit no partition\n"
      "partman can create (expired under retention, a value not listed, a NULL key, a range a\n"
      "hand-made partition overlaps) stay, and are reported.");
  cmd->add_option("PARENT", args->parent, "The managed parent")->required();
  cmd->footer("Examples:\n"
              "  partman drain-default app.events\n"
              "  partman drain-default app.events --batch-size 5000 --at 2026-12-01");
  cmd->add_option("--batch-size", args->batch_size, "Rows moved per transaction")
      ->check(CLI::Range(1, 10000000))
      ->capture_default_str();
  cmd->add_option("--at", args->at, "Pretend now is this time (retention decides what has expired)");
  add_lock_timeout_options(*cmd, args->locks);
  add_retry_options(*cmd, args->locks);
  cmd->callback([&globals, &exit_code, args] {
    exit_code = run_guarded([&] { return run_drain(globals, *args); }, std::cerr);
  });
}

} // namespace partman::cli
