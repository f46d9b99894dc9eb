#include "partman/worker/control.hpp"

#include <pqxx/nontransaction>
#include <pqxx/result>

#include "partman/db/session.hpp"

namespace partman::worker {

// Hears the policy channel's notifications.
class ControlSession::Receiver : public pqxx::notification_receiver
{
public:
  Receiver(pqxx::connection_base& conn, bool& changed)
      : pqxx::notification_receiver(conn, k_policy_channel), m_changed(changed)
  {
  }
  // Notes that a policy changed.
  void operator()(const std::string& /*payload*/, int /*backend_pid*/) override { m_changed = true; }

private:
  bool& m_changed;
};

std::string worker_dsn(const std::string& dsn)
{
  const std::string with_keepalives = db::edit_conninfo(db::service_or_conninfo(dsn),
                                                        {{"keepalives", "1"},
                                                         {"keepalives_idle", "10"},
                                                         {"keepalives_interval", "5"},
                                                         {"keepalives_count", "3"},
                                                         {"connect_timeout", "10"}},
                                                        true);
  const std::string given = db::conninfo_value(with_keepalives, "options");
  const std::string ours = "-c tcp_keepalives_idle=10 -c tcp_keepalives_interval=5 -c tcp_keepalives_count=3 "
                           "-c client_connection_check_interval=1000";
  return db::edit_conninfo(with_keepalives, {{"options", given.empty() ? ours : ours + " " + given}}, false);
}

ControlSession::ControlSession(const std::string& dsn, const db::SessionOptions& options)
    : m_conn(db::open_session(dsn, options))
{
}

ControlSession::~ControlSession() = default;

Standing ControlSession::stand(const std::string& schema)
{
  const std::string keys = std::to_string(k_leader_class) + ", " + std::to_string(k_leader_key);
  // CASE evaluates in order: the lock is tried only on a primary with partman, and only when this session
  // does not hold it already (a second pg_try_advisory_lock would stack a second hold).
  pqxx::result r;
  {
    pqxx::nontransaction tx(*m_conn);
    r = tx.exec_params("SELECT s.r, s.i, CASE WHEN s.r OR NOT s.i THEN false WHEN EXISTS (SELECT FROM "
                       "pg_locks WHERE locktype = "
                       "'advisory' AND pid = pg_backend_pid() AND granted AND classid = " +
                           std::to_string(k_leader_class) + " AND objid = " + std::to_string(k_leader_key) +
                           " AND objsubid = 2) THEN true ELSE pg_try_advisory_lock(" + keys +
                           ") END FROM (SELECT pg_is_in_recovery() AS r, to_regclass(format('%I.policy', "
                           "$1::text)) IS NOT NULL "
                           "AS i) s",
                       schema);
  }
  if (r[0][0].as<bool>())
    return Standing::standby;
  if (!r[0][1].as<bool>())
    return Standing::not_installed;
  if (!m_receiver)
    m_receiver = std::make_unique<Receiver>(*m_conn, m_changed);
  return r[0][2].as<bool>() ? Standing::leader : Standing::follower;
}

bool ControlSession::alive() const
{
  return m_conn->is_open();
}

int ControlSession::socket() const
{
  return m_conn->sock();
}

bool ControlSession::policy_changed()
{
  m_conn->get_notifs();
  if (!m_conn->is_open())
    throw pqxx::broken_connection("the control session was closed");
  const bool changed = m_changed;
  m_changed = false;
  return changed;
}

} // namespace partman::worker
