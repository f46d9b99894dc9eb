// Prometheus's text exposition format (version 0.0.4): metric families with HELP and TYPE, samples with
// escaped label values, written family after family to a sink in pieces (a fleet's text runs to megabytes;
// it is never held whole).
#pragma once

#include <cstdio>
#include <functional>
#include <initializer_list>
#include <set>
#include <string>
#include <string_view>
#include <utility>

namespace partman::worker {

using Labels = std::initializer_list<std::pair<std::string_view, std::string_view>>;

// Writes families and their samples.
class Exposition
{
public:
  using Sink = std::function<void(std::string_view)>;
  // Writes to `sink`, in pieces of about 64 KB.
  explicit Exposition(Sink sink);
  // Starts family `name` ("gauge", "counter", or "summary", whose samples are NAME_sum and NAME_count); its
  // HELP and TYPE lines come with its first sample, so a family without samples is left out. A family
  // started before is refused (its samples must stay together).
  void family(const std::string& name, const char* type, const std::string& help);
  // Adds one sample of the family started last; samples of another are refused.
  void sample(std::string_view name, Labels labels, double value);
  // Hands the rest to the sink.
  void finish();

private:
  // Hands the buffer to the sink when it is full enough (`all`: whatever it holds).
  void flush(bool all);

  Sink m_sink;
  std::string m_buffer;
  std::string m_name, m_type, m_help; // the current family
  bool m_started = false;             // its HELP and TYPE are written
  std::set<std::string> m_done;       // families started so far
};

// A file written through a temporary file in the same folder and renamed over `path` at the end, so a reader
// (node_exporter's textfile collector) never sees half a file.
class AtomicFile
{
public:
  // Opens the temporary file; throws std::runtime_error naming it when it cannot.
  explicit AtomicFile(std::string path);
  // Removes the temporary file unless committed.
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  // Appends `piece` (a failure is reported by commit).
  void write(std::string_view piece);
  // Renames the temporary file over `path`; throws std::runtime_error naming the path.
  void commit();

private:
  std::string m_path, m_tmp;
  std::FILE* m_file = nullptr;
  bool m_failed = false;
};

} // namespace partman::worker
