// The session a worker keeps on each database it maintains: it holds the leader's advisory lock (one worker
// acts on a database at a time) and listens for policy changes. Runs use sessions of their own, so the
// per-parent locks a run takes and releases never touch the leader's lock.
#pragma once

#include <memory>
#include <pqxx/connection>
#include <pqxx/notification>
#include <string>

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

// One database's control session.
class ControlSession
{
public:
  // Connects (throws ConnectionError or UsageError).
  explicit ControlSession(const std::string& dsn);
  ~ControlSession();
  ControlSession(const ControlSession&) = delete;
  ControlSession& operator=(const ControlSession&) = delete;

  // Returns true when the server is in recovery (a standby).
  bool standby();
  // Returns true when partman's policy table exists in `schema`; starts listening for its changes then.
  bool installed(const std::string& schema);
  // Returns true when this session holds the leader's lock, taking it if it is free.
  bool lead();
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
