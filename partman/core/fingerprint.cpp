#include "partman/core/fingerprint.hpp"

#include <algorithm>
#include <cstdio>
#include <tuple>

namespace partman::core {

namespace {

// Feeds text into a 64-bit FNV-1a hash, with a separator so that ("ab","c") and ("a","bc") differ.
class Hasher
{
public:
  void add(const std::string& text)
  {
    for (unsigned char c : text)
      step(c);
    step(0x1f);
  }
  void add(std::int64_t n) { add(std::to_string(n)); }
  void add(const std::optional<Micros>& v) { add(v ? std::to_string(*v) : std::string("inf")); }

  std::string hex() const
  {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(m_hash));
    return buf;
  }

private:
  void step(unsigned char c)
  {
    m_hash ^= c;
    m_hash *= 1099511628211ull;
  }

  std::uint64_t m_hash = 14695981039346656037ull;
};

// Adds what a policy holds, its level-2 policy included.
void add_policy(Hasher& h, const Policy& p)
{
  h.add(p.schema);
  h.add(p.table);
  h.add(p.interval.text());
  h.add(p.premake);
  h.add(p.retention ? p.retention->text() : "");
  h.add(to_string(p.retention_action));
  h.add(p.retention_schema);
  h.add(p.archive_to);
  h.add(p.timezone.name());
  h.add(p.start);
  h.add(std::string(to_string(p.shape)) + " " + to_string(p.epoch_unit) + " " + to_string(p.list_retention));
  h.add(p.width);
  h.add(p.keep_last ? std::to_string(*p.keep_last) : "-");
  h.add(p.start_value ? std::to_string(*p.start_value) : "-");
  h.add(static_cast<std::int64_t>(p.values.size()));
  for (const auto& v : p.values)
    h.add(v);
  h.add(p.values_query);
  h.add(std::string(p.default_partition ? "d" : "-") + (p.inherit_privileges ? "i" : "-"));
  h.add(p.template_schema);
  h.add(p.template_table);
  if (p.partition_names != PartitionNames::partman) // the default leaves earlier fingerprints as they were
    h.add("names " + partition_names_text(p));
  h.add(p.level);
  h.add(p.partition_key);
  if (p.sub)
    add_policy(h, *p.sub);
}

} // namespace

std::string fingerprint(const std::vector<ParentSnapshot>& parents, const std::vector<Policy>& policies)
{
  Hasher h;
  for (const auto& p : policies)
    add_policy(h, p);
  for (const auto& parent : parents) {
    h.add(parent.schema);
    h.add(parent.table);
    h.add(std::string(1, parent.exists ? 'e' : '-') + (parent.partitioned ? 'p' : '-') +
          strategy_code(parent.strategy));
    h.add(parent.key_count);
    h.add(parent.key_column);
    h.add(parent.key_type_name);
    h.add(parent.sub_key_type_name);
    h.add(parent.outer_schema + "." + parent.outer_table);
    if (parent.distribution.citus) // only then: the fingerprints of plans made before Citus stay as they were
      h.add("citus " + parent.distribution.column);
    std::vector<const Child*> children;
    for (const auto& c : parent.children)
      children.push_back(&c);
    std::sort(children.begin(), children.end(), [](const Child* a, const Child* b) {
      return std::tie(a->schema, a->name) < std::tie(b->schema, b->name);
    });
    for (const Child* c : children) {
      h.add(c->schema);
      h.add(c->name);
      h.add(std::string(1, c->is_default ? 'd' : '-') + (c->detach_pending ? 'p' : '-') +
            (c->partitioned ? 's' : '-'));
      h.add(c->lower);
      h.add(c->upper);
      h.add(static_cast<std::int64_t>(c->values().size()) * 2 + c->null_value);
      for (const auto& v : c->values())
        h.add(v);
    }
    // Not the largest key value nor a values query's rows: they move with the data, and a saved plan is
    // also refused when its statements differ from the ones computed again at apply time.
    std::vector<std::string> taken = parent.taken_names;
    std::sort(taken.begin(), taken.end());
    for (const auto& t : taken)
      h.add(t);
    std::vector<std::string> interrupted = parent.interrupted;
    std::sort(interrupted.begin(), interrupted.end());
    for (const auto& t : interrupted)
      h.add("interrupted " + t);
    for (const auto& a : parent.archives) // read in id order
      h.add("archive " + std::to_string(a.id) + " " + to_string(a.state) + (a.table_exists ? " e" : " -") +
            (a.attached ? "a" : "-"));
  }
  return h.hex();
}

} // namespace partman::core
