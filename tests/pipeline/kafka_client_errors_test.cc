#include "pipeline/kafka_client_errors.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pipeline/metrics.h"

namespace newsd {
namespace {

using ::testing::HasSubstr;

TEST(KafkaClientErrorsTest, ClassifiesCodesAndClients) {
  EXPECT_EQ(ClassifyKafkaError(RdKafka::ERR__AUTHENTICATION), KafkaErrorClass::kAuthentication);
  EXPECT_EQ(ClassifyKafkaError(RdKafka::ERR_SASL_AUTHENTICATION_FAILED),
            KafkaErrorClass::kAuthentication);
  EXPECT_EQ(ClassifyKafkaError(RdKafka::ERR__SSL), KafkaErrorClass::kSsl);
  EXPECT_EQ(ClassifyKafkaError(RdKafka::ERR__ALL_BROKERS_DOWN), KafkaErrorClass::kAllBrokersDown);
  EXPECT_EQ(ClassifyKafkaError(RdKafka::ERR__TRANSPORT), KafkaErrorClass::kTransport);
  EXPECT_EQ(ClassifyKafkaError(RdKafka::ERR__RESOLVE), KafkaErrorClass::kTransport);
  EXPECT_EQ(ClassifyKafkaError(RdKafka::ERR_TOPIC_AUTHORIZATION_FAILED), KafkaErrorClass::kOther);
  EXPECT_EQ(KafkaClientKindOf("producer"), KafkaClientKind::kProducer);
  EXPECT_EQ(KafkaClientKindOf("consumer"), KafkaClientKind::kConsumer);
  EXPECT_EQ(KafkaClientKindOf("changelog reader"), KafkaClientKind::kChangelog);
  EXPECT_EQ(KafkaClientKindOf("validate-config producer"), KafkaClientKind::kAdmin);
}

TEST(KafkaClientErrorsTest, CountsEveryErrorAndRateLimitsItsLogLines) {
  KafkaClientErrors errors;
  const absl::Time t0 = absl::FromUnixSeconds(1000);
  uint64_t suppressed = 99;
  EXPECT_TRUE(errors.Record("producer", RdKafka::ERR__ALL_BROKERS_DOWN, "1/1 brokers are down",
                            t0, &suppressed));
  EXPECT_EQ(suppressed, 0u);
  // Repeats within the interval: counted, not logged.
  for (int i = 1; i <= 5; ++i) {
    EXPECT_FALSE(errors.Record("producer", RdKafka::ERR__ALL_BROKERS_DOWN, "1/1 brokers are down",
                               t0 + absl::Seconds(i), &suppressed));
  }
  // Another client, or another code, is logged at once.
  EXPECT_TRUE(errors.Record("consumer", RdKafka::ERR__ALL_BROKERS_DOWN, "1/1 brokers are down",
                            t0 + absl::Seconds(6), &suppressed));
  EXPECT_TRUE(errors.Record("producer", RdKafka::ERR__TRANSPORT, "Connection refused",
                            t0 + absl::Seconds(7), &suppressed));
  // After the interval: logged, with the number not logged.
  EXPECT_TRUE(errors.Record("producer", RdKafka::ERR__ALL_BROKERS_DOWN, "1/1 brokers are down",
                            t0 + KafkaClientErrors::kLogInterval, &suppressed));
  EXPECT_EQ(suppressed, 5u);
  EXPECT_EQ(errors.Count(KafkaClientKind::kProducer, KafkaErrorClass::kAllBrokersDown), 7u);
  EXPECT_EQ(errors.Count(KafkaClientKind::kConsumer, KafkaErrorClass::kAllBrokersDown), 1u);
  EXPECT_EQ(errors.Count(KafkaClientKind::kProducer, KafkaErrorClass::kTransport), 1u);
  ASSERT_TRUE(errors.Latest().has_value());
  EXPECT_EQ(errors.Latest()->description,
            "producer: Local: All broker connections are down: 1/1 brokers are down");

  // Every bounded label pair is exposed, 0 included.
  const prometheus::MetricFamily family = errors.MetricFamily();
  EXPECT_EQ(family.name, "newsd_kafka_client_errors_total");
  EXPECT_EQ(family.metric.size(), static_cast<size_t>(kKafkaClientKinds * kKafkaErrorClasses));
  double total = 0;
  for (const auto& m : family.metric) total += m.counter.value;
  EXPECT_EQ(total, 9);
}

TEST(KafkaClientErrorsTest, ReadyzReasonNamesTheLatestErrorSinceTheInstanceWasReady) {
  KafkaClientErrors errors;
  Health health;
  health.client_errors = &errors;
  const absl::Time t0 = absl::FromUnixSeconds(2000);
  EXPECT_EQ(health.NotReadyReason(t0), "starting");
  uint64_t suppressed = 0;
  errors.Record("producer", RdKafka::ERR__AUTHENTICATION,
                "SASL handshake failed (start (-4)): SASL authentication failed", t0,
                &suppressed);
  EXPECT_EQ(health.NotReadyReason(t0 + absl::Seconds(3)),
            "starting: producer: Local: Authentication failure: SASL handshake failed (start "
            "(-4)): SASL authentication failed (3 s ago)");

  // Ready later: the old error is not shown again with an unrelated reason.
  health.ready = true;
  health.ready_unix_ns = absl::ToUnixNanos(t0 + absl::Seconds(10));
  health.heartbeat_unix_ns = absl::ToUnixNanos(t0 + absl::Seconds(10));
  EXPECT_EQ(health.NotReadyReason(t0 + absl::Seconds(10)), "");
  health.ready = false;
  health.not_ready_reason = "producer not connected to a broker";
  EXPECT_EQ(health.NotReadyReason(t0 + absl::Seconds(11)), "producer not connected to a broker");
  // A new error after that is.
  errors.Record("producer", RdKafka::ERR__ALL_BROKERS_DOWN, "1/1 brokers are down",
                t0 + absl::Seconds(12), &suppressed);
  EXPECT_THAT(health.NotReadyReason(t0 + absl::Seconds(12)),
              HasSubstr("producer not connected to a broker: producer: Local: All broker "
                        "connections are down: 1/1 brokers are down"));
  // Also when the loop is blocked in a broker call.
  health.ready = true;
  EXPECT_THAT(health.NotReadyReason(t0 + absl::Seconds(20)),
              HasSubstr("the loop has been blocked for 10 s (a broker call: brokers slow or "
                        "unreachable): producer: Local: All broker connections are down"));
}

}  // namespace
}  // namespace newsd
