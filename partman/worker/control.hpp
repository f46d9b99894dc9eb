// The session a worker keeps on each database it maintains: it holds the leader's advisory lock (one worker
// acts on a database at a time), listens for policy changes and answers each turn's cheap questions, so a
// turn with nothing to do opens no server process. A run that acts does so on a working session of its
// own; its per-parent locks are another class of advisory lock and never touch the leader's lock.
#pragma once

#include <memory>
#include <pqxx/connection>
#include <pqxx/notification>
#include <string>

#include "partman/db/session.hpp"

namespace partman::worker {

// The channel the policy table notifies on a change (its trigger, in sql/).
constexpr const char* k_policy_channel = "partman_policy";
// The two keys of the leader's session advisory lock ('pw', 0); parents use ('pa', hash).
constexpr int k_leader_class = 0x7077;
constexpr int k_leader_key = 0;

// Returns `dsn` with what a long-running worker's sessions need where `dsn` does not say otherwise: TCP
// keepalives both ways (so a dead peer's session ends and its locks go, within about 25 s) and, for the
// server, a check every second that partman is still connected (client_connection_check_interval), so
// statements of a worker that died or was stopped are cancelled.
std::string worker_dsn(const std::string& dsn);

// Where this worker stands on a database.
enum class Standing
{
  standby,       // the server is in recovery
  not_installed, // no partman policy table in the schema
  follower,      // another session holds the leader's lock
  leader         // this session holds it
};

// One database's control session.
class ControlSession
{
public:
  // Connects with the session settings of `options` (throws ConnectionError or UsageError).
  ControlSession(const std::string& dsn, const db::SessionOptions& options);
  ~ControlSession();
  ControlSession(const ControlSession&) = delete;
  ControlSession& operator=(const ControlSession&) = delete;

  // Returns where this worker stands, in one round trip: on a primary with partman's policy table in
  // `schema`, the leader's lock is taken if it is free; listening for policy changes starts once found.
  Standing stand(const std::string& schema);
  // Returns the session, for the runs of the leader.
  pqxx::connection& connection() { return *m_conn; }
  // Returns true while the connection is open.
  bool alive() const;
  // Returns the socket to wait on for notifications.
  int socket() const;
  // Reads what arrived on the socket; returns true when a policy changed since the last call. Throws
  // pqxx::broken_connection when the session is gone.
  bool policy_changed();

private:
  class Receiver;
  std::unique_ptr<pqxx::connection> m_conn;
  std::unique_ptr<Receiver> m_receiver;
  bool m_changed = false;
};

} // namespace partman::worker
