#include "partman/core/clock.hpp"

#include "partman/core/render.hpp"

namespace partman::core {

ClockCheck check_clock(Micros now, bool from_host_clock, Micros server_now, Micros host_now)
{
  const auto seconds = [](Micros t) {
    return iso_utc(floor_div(t, k_micros_per_second) * k_micros_per_second);
  };
  ClockCheck out;
  const Micros skew = host_now - server_now;
  const std::string host = seconds(host_now);
  const std::string server = seconds(server_now);
  if (skew > k_max_clock_skew || skew < -k_max_clock_skew) {
    out.warning = "this host's clock (" + host + ") and the server's (" + server + ") differ by " +
                  std::to_string(skew / k_micros_per_second) +
                  " seconds; removals judged by this host's clock wait for --force";
    if (from_host_clock)
      out.refusal = "this host's clock (" + host + ") and the server's (" + server +
                    ") differ by more than 5 minutes, so only its creates are applied; HINT: set the clock "
                    "right (NTP), or rerun with --force";
  }
  if (!from_host_clock && now > server_now)
    out.refusal = "its removals are judged at " + seconds(now) + ", later than the server's clock (" +
                  server +
                  "), when partitions may not have expired yet, so only its creates are applied; HINT: rerun "
                  "with --force to remove them anyway";
  return out;
}

} // namespace partman::core
