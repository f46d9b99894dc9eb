// Prometheus's text exposition format (version 0.0.4): metric families with HELP and TYPE, samples with
// escaped label values.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace partman::worker {

using Labels = std::vector<std::pair<std::string, std::string>>;

// Collects samples by family and writes them out.
class Exposition
{
public:
  // Declares family `name` ("gauge", "counter", or "summary", whose samples are NAME_sum and NAME_count);
  // samples of an undeclared family are refused.
  void family(const std::string& name, const char* type, const std::string& help);
  // Adds one sample of `name` (a declared family).
  void sample(const std::string& name, const Labels& labels, double value);
  // Returns the text, families in declaration order; a family without samples is left out.
  std::string text() const;

private:
  struct Family
  {
    std::string name, type, help;
    std::string samples; // one line a sample
  };
  std::vector<Family> m_families;
  std::map<std::string, std::size_t> m_index;
};

// Writes `text` to `path` through a temporary file in the same folder and a rename, so a reader (the
// textfile collector) never sees half a file; throws std::runtime_error naming the path.
void write_atomically(const std::string& path, const std::string& text);

} // namespace partman::worker
