/**
 * What every backend and transport's tests share: the conformance suites, the multi-process
 * scenarios, real nats-server / etcd / Prometheus processes as JUnit extensions, child JVMs and
 * throwaway certificates. Test scope only: no main code depends on it. It reads core's internals
 * ({@code internal.discovery}, {@code internal.network}) that core exports to it by name.
 */
module dev.dynamo4j.testkit {
  requires transitive dev.dynamo4j.core;
  requires transitive org.junit.jupiter.api;
  requires awaitility;
  requires org.assertj.core;
  requires java.net.http;
  requires org.bouncycastle.pkix;
  requires org.bouncycastle.provider;
  requires org.bouncycastle.util;

  exports dev.dynamo4j.testkit;
}
