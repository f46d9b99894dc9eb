// A value kept on the heap, for a large member few objects have: it costs one pointer when empty.
#pragma once

#include <memory>
#include <utility>

namespace partman::core {

// Holds a T or nothing, like std::optional, but out of line; copies copy the value.
template <typename T> class Boxed
{
public:
  Boxed() = default;
  Boxed(T value) : m_value(std::make_unique<T>(std::move(value))) {}
  Boxed(const Boxed& other) : m_value(other.m_value ? std::make_unique<T>(*other.m_value) : nullptr) {}
  Boxed(Boxed&&) noexcept = default;
  Boxed& operator=(const Boxed& other)
  {
    if (this != &other)
      m_value = other.m_value ? std::make_unique<T>(*other.m_value) : nullptr;
    return *this;
  }
  Boxed& operator=(Boxed&&) noexcept = default;
  ~Boxed() = default;

  explicit operator bool() const { return m_value != nullptr; }
  T& operator*() { return *m_value; }
  const T& operator*() const { return *m_value; }
  T* operator->() { return m_value.get(); }
  const T* operator->() const { return m_value.get(); }
  // Returns the value, made (empty) first when there is none.
  T& get_or_make()
  {
    if (!m_value)
      m_value = std::make_unique<T>();
    return *m_value;
  }
  // Drops the value.
  void reset() { m_value.reset(); }

private:
  std::unique_ptr<T> m_value;
};

} // namespace partman::core
