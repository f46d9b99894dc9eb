// Text kept once per process, for a name a great many objects share (the schema of a million partitions).
#pragma once

#include <mutex>
#include <string>
#include <unordered_set>

namespace partman::core {

// An immutable string that costs one pointer: equal texts share one copy, kept until the process ends.
class Interned
{
public:
  Interned() : Interned(std::string()) {}
  Interned(const std::string& text) : m_text(&intern(text)) {}
  Interned(const char* text) : Interned(std::string(text)) {}

  operator const std::string&() const { return *m_text; }
  const std::string& str() const { return *m_text; }

private:
  // Returns the one copy of `text`.
  static const std::string& intern(const std::string& text)
  {
    static std::mutex mutex;
    static std::unordered_set<std::string> texts; // its elements never move
    const std::lock_guard<std::mutex> lock(mutex);
    return *texts.insert(text).first;
  }

  const std::string* m_text;
};

inline bool operator==(const Interned& a, const Interned& b)
{
  return &a.str() == &b.str();
}
inline bool operator!=(const Interned& a, const Interned& b)
{
  return !(a == b);
}
inline bool operator<(const Interned& a, const Interned& b)
{
  return a.str() < b.str();
}
inline bool operator==(const Interned& a, const std::string& b)
{
  return a.str() == b;
}
inline bool operator==(const std::string& a, const Interned& b)
{
  return a == b.str();
}
inline bool operator!=(const Interned& a, const std::string& b)
{
  return a.str() != b;
}
inline bool operator!=(const std::string& a, const Interned& b)
{
  return a != b.str();
}
inline bool operator==(const Interned& a, const char* b)
{
  return a.str() == b;
}
inline bool operator!=(const Interned& a, const char* b)
{
  return a.str() != b;
}

} // namespace partman::core
