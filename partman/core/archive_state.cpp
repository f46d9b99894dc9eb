#include "partman/core/archive_state.hpp"

#include <stdexcept>

#include "partman/core/names.hpp"

namespace partman::core {

namespace {

// Every state, in declaration order.
constexpr ArchiveState k_states[] = {ArchiveState::detaching, ArchiveState::detached, ArchiveState::written,
                                     ArchiveState::verified,  ArchiveState::dropped,  ArchiveState::failed};

} // namespace

const char* to_string(ArchiveState state)
{
  switch (state) {
  case ArchiveState::detaching:
    return "detaching";
  case ArchiveState::detached:
    return "detached";
  case ArchiveState::written:
    return "written";
  case ArchiveState::verified:
    return "verified";
  case ArchiveState::dropped:
    return "dropped";
  case ArchiveState::failed:
    return "failed";
  }
  return "?";
}

Result<ArchiveState> parse_archive_state(const std::string& text)
{
  for (const ArchiveState state : k_states) {
    if (text == to_string(state))
      return state;
  }
  return Error{"unknown archive state '" + text +
               "'; HINT: the archive table was changed by something other than this version of partman"};
}

ArchiveState stored_archive_state(const std::string& text, long long id)
{
  const auto state = parse_archive_state(text);
  if (!state)
    throw std::runtime_error("archive #" + std::to_string(id) + ": " + state.error());
  return *state;
}

std::string archive_state_sql(ArchiveState state)
{
  return quote_literal(to_string(state));
}

bool has_complete_copy(ArchiveState state)
{
  switch (state) {
  case ArchiveState::written:
  case ArchiveState::verified:
  case ArchiveState::dropped:
    return true;
  case ArchiveState::detaching:
  case ArchiveState::detached:
  case ArchiveState::failed:
    return false;
  }
  return false;
}

} // namespace partman::core
