// Integer, epoch and LIST policies, in memory: they must fit their parent; status and fingerprint cover them.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "partman/core/fingerprint.hpp"
#include "partman/core/planner.hpp"
#include "partman/core/render.hpp"
#include "partman/core/status.hpp"
#include "shapes_fixtures.hpp"

using namespace partman::core;
using namespace partman::test;

using Lines = std::vector<std::string>;

TEST_CASE("shapes: a policy must fit its parent's strategy and key type")
{
  const auto error_of = [](const ParentSnapshot& parent, const Policy& policy) {
    return plan_parent(parent, policy, 0).error;
  };
  CHECK(error_of(int_parent("t"), list_policy("t", {"a"})) ==
        "\"public\".\"t\" is not partitioned BY LIST; HINT: its policy is a LIST policy; 'partman manage' it "
        "again");
  CHECK(error_of(list_parent("t"), int_policy("t", 10)) == "\"public\".\"t\" is not partitioned BY RANGE");
  CHECK(error_of(make_parent("public", "t"), int_policy("t", 10))
            .rfind("the policy of \"public\".\"t\" plans integer ranges, but its key is of type timestamp "
                   "with time zone, not smallint, integer or bigint; HINT: give a time interval",
                   0) == 0);
  CHECK(error_of(int_parent("t"), make_policy("public", "t", "1 day"))
            .rfind("the policy of \"public\".\"t\" plans time ranges, but its key is of type bigint, not",
                   0) == 0);
  // RANGE on text or uuid keys: the type is named, and LIST suggested.
  for (const auto type : {KeyType::text, KeyType::uuid}) {
    const auto parent = make_parent("public", "t", type);
    INFO(parent.key_type_name);
    CHECK(
        error_of(parent, make_policy("public", "t", "1 day")) ==
        "the policy of \"public\".\"t\" plans time ranges, but its key is of type " + parent.key_type_name +
            ", not timestamptz, timestamp or date; HINT: partman plans RANGE partitions on time and integer "
            "keys; a " +
            parent.key_type_name + " key can be partitioned BY LIST, one partition per value");
    CHECK(
        error_of(parent, int_policy("t", 10)).find("its key is of type " + parent.key_type_name + ", not") !=
        std::string::npos);
  }
  auto varchar = make_parent("public", "t", KeyType::text);
  varchar.key_type_name = "character varying(20)";
  CHECK(error_of(varchar, make_policy("public", "t", "1 day")).find("of type character varying(20), not") !=
        std::string::npos);
  // Without a column type name at hand, the KeyType names it.
  CHECK(validate_policy(make_policy("public", "t", "1 day"), KeyType::uuid).find("of type uuid, not") !=
        std::string::npos);
  CHECK(validate_policy(make_policy("public", "t", "1 day"), KeyType::unsupported, "numeric")
            .rfind("the partition key of \"public\".\"t\" is of type numeric, which partman does not plan",
                   0) == 0);
  auto small_epoch = make_policy("public", "t", "1 day");
  small_epoch.shape = Shape::epoch;
  CHECK(error_of(int_parent("t", KeyType::smallint), small_epoch)
            .rfind("--epoch needs an integer or bigint", 0) == 0);
  auto short_retention = int_policy("t", 1000);
  short_retention.keep_last = 10;
  CHECK(error_of(int_parent("t"), short_retention) ==
        "retention 10 is smaller than the width 1000; HINT: keep at least one whole partition");
  CHECK(error_of(list_parent("t"), list_policy("t", {}))
            .rfind("the LIST policy of \"public\".\"t\" names no", 0) == 0);
  auto both = list_policy("t", {"a"});
  both.values_query = "SELECT 'a'";
  CHECK(error_of(list_parent("t"), both).rfind("the LIST policy of \"public\".\"t\" has both", 0) == 0);
  CHECK(error_of(list_parent("t", KeyType::timestamptz), list_policy("t", {"a"}))
            .rfind("partman plans LIST keys", 0) == 0);
}

TEST_CASE("shapes: status classifies integer, epoch and LIST partitions")
{
  auto ints = int_parent("orders");
  ints.children = {int_child("orders_p0", 0, 1000), int_child("orders_p1000", 1000, 2000),
                   int_child("orders_p2000", 2000, 3000), int_child("orders_p3000", 3000, 4000)};
  ints.key_max = 2500;
  auto int_pol = int_policy("orders", 1000, 1);
  int_pol.keep_last = 1500;
  const ParentStatus st = make_status(ints, int_pol, 0);
  REQUIRE(st.error.empty());
  Lines states;
  for (const auto& p : st.partitions)
    states.push_back(p.child->name + " " + to_string(p.state) + " [" + p.from + ", " + p.to + ")");
  CHECK(states == Lines{"orders_p0 expired [0, 1000)", "orders_p1000 past [1000, 2000)",
                        "orders_p2000 current [2000, 3000)", "orders_p3000 future [3000, 4000)"});
  const std::string text = render_status_text({st});
  CHECK(text.find("\"public\".\"orders\": width 1000, premake 1, retention 1500 (detach)\n") == 0);
  CHECK(text.find("4 partition(s): 1 past, 1 current, 1 future, 1 expired\n  largest value 2500\n") !=
        std::string::npos);
  const auto doc = nlohmann::json::parse(render_status_json({st}, 0));
  CHECK(doc["parents"][0]["largest_value"] == 2500);
  CHECK(doc["parents"][0]["policy"]["shape"] == "integer");
  CHECK(doc["parents"][0]["policy"]["interval"] == 1000);
  CHECK(doc["parents"][0]["policy"]["retention"] == 1500);

  auto list = list_parent("sales");
  list.children = {list_child("sales_eu", {"eu"}), list_child("sales_old", {"old"}),
                   make_default("public", "sales_default")};
  list.children[2].rare.get_or_make().counted_rows = 4;
  const auto list_pol = list_policy("sales", {"eu"});
  const ParentStatus lst = make_status(list, list_pol, 0);
  const std::string list_text = render_status_text({lst});
  CHECK(list_text.find("IN ('eu')") != std::string::npos);
  CHECK(list_text.find("3 partition(s): 1 listed, 1 unlisted\n") != std::string::npos);
  CHECK(list_text.find("default partition \"public\".\"sales_default\" holds 4 row(s)") != std::string::npos);
  const auto list_doc = nlohmann::json::parse(render_status_json({lst}, 0));
  CHECK(list_doc["parents"][0]["partitions"][0]["values"] == nlohmann::json::array({"eu"}));
  CHECK(list_doc["parents"][0]["partitions"][1]["state"] == "unlisted");
  CHECK(list_doc["parents"][0]["policy"]["values"] == nlohmann::json::array({"eu"}));

  auto epoch = int_parent("clicks");
  epoch.children = {
      int_child("clicks_p20261125", at("2026-11-25Z") / 1'000'000, at("2026-11-26Z") / 1'000'000)};
  Policy epoch_pol = make_policy("public", "clicks", "1 day", 1);
  epoch_pol.shape = Shape::epoch;
  const ParentStatus est = make_status(epoch, epoch_pol, at("2026-11-25 12:00Z"));
  REQUIRE(est.partitions.size() == 1);
  CHECK(est.partitions[0].state == PartitionState::current);
  CHECK(est.partitions[0].from == std::to_string(at("2026-11-25Z") / 1'000'000));
  CHECK(est.partitions[0].from_time == "2026-11-25 00:00:00+00:00");
  CHECK(render_status_text({est}).find("2026-11-25 00:00:00+00:00") != std::string::npos);
}

TEST_CASE("shapes: the fingerprint covers the new policy fields and LIST values")
{
  const auto parent = list_parent("sales");
  const auto base = list_policy("sales", {"a", "b"});
  const std::string fp = fingerprint({parent}, {base});
  auto changed = base;
  changed.values = {"a", "c"};
  CHECK(fingerprint({parent}, {changed}) != fp);
  changed = base;
  changed.list_retention = ListRetention::drop;
  CHECK(fingerprint({parent}, {changed}) != fp);
  changed = base;
  changed.values.clear();
  changed.values_query = "SELECT 'a'";
  CHECK(fingerprint({parent}, {changed}) != fp);
  auto with_child = parent;
  with_child.children.push_back(list_child("sales_a", {"a"}));
  const std::string child_fp = fingerprint({with_child}, {base});
  with_child.children[0].rare->values = {"a", "b"};
  CHECK(fingerprint({with_child}, {base}) != child_fp);

  const auto ints = int_parent("orders");
  auto ip = int_policy("orders", 1000);
  const std::string int_fp = fingerprint({ints}, {ip});
  ip.width = 2000;
  CHECK(fingerprint({ints}, {ip}) != int_fp);
  ip.width = 1000;
  ip.keep_last = 5000;
  CHECK(fingerprint({ints}, {ip}) != int_fp);
  ip.keep_last.reset();
  ip.start_value = 7;
  CHECK(fingerprint({ints}, {ip}) != int_fp);
  Policy ep = make_policy("public", "orders", "1 day");
  ep.shape = Shape::epoch;
  const std::string epoch_fp = fingerprint({ints}, {ep});
  ep.epoch_unit = EpochUnit::milliseconds;
  CHECK(fingerprint({ints}, {ep}) != epoch_fp);
}
