// A value or an error message, for parsers and validators that must not throw.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace partman::core {

// Holds an error message; a distinct type so Result<std::string> stays unambiguous.
struct Error
{
  std::string message;
};

// Holds either a value or an Error.
template <typename T> class Result
{
public:
  Result(T value) : m_data(std::move(value)) {}
  Result(Error error) : m_data(std::move(error)) {}

  // Returns true when a value is held.
  explicit operator bool() const { return m_data.index() == 0; }
  // Returns the value; only call when the result holds one.
  const T& operator*() const { return std::get<0>(m_data); }
  const T* operator->() const { return &std::get<0>(m_data); }
  // Returns the error message; only call when the result holds no value.
  const std::string& error() const { return std::get<1>(m_data).message; }

private:
  std::variant<T, Error> m_data;
};

} // namespace partman::core
