package dev.sandboxes.runtime.kubernetes;

import com.uber.m3.tally.Buckets;
import com.uber.m3.tally.Capabilities;
import com.uber.m3.tally.CapableOf;
import com.uber.m3.tally.RootScopeBuilder;
import com.uber.m3.tally.Scope;
import com.uber.m3.tally.StatsReporter;
import com.uber.m3.util.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/** A tally reporter that keeps what a scope reported, for tests: counters summed, timers counted. */
final class CapturingReporter implements StatsReporter {
  final Map<String, Long> counters = new ConcurrentHashMap<>();
  final Map<String, Long> timers = new ConcurrentHashMap<>();

  /** A root scope reporting here only when closed. */
  Scope scope() {
    return new RootScopeBuilder().reporter(this).reportEvery(Duration.ofSeconds(3600));
  }

  static String key(String name, Map<String, String> tags) {
    return name + new TreeMap<>(tags);
  }

  @Override
  public Capabilities capabilities() {
    return CapableOf.REPORTING;
  }

  @Override
  public void flush() {}

  @Override
  public void close() {}

  @Override
  public void reportCounter(String name, Map<String, String> tags, long value) {
    counters.merge(key(name, tags), value, Long::sum);
  }

  @Override
  public void reportGauge(String name, Map<String, String> tags, double value) {}

  @Override
  public void reportTimer(String name, Map<String, String> tags, Duration interval) {
    timers.merge(key(name, tags), 1L, Long::sum);
  }

  @Override
  public void reportHistogramValueSamples(String name, Map<String, String> tags, Buckets buckets,
      double bucketLowerBound, double bucketUpperBound, long samples) {}

  @Override
  public void reportHistogramDurationSamples(String name, Map<String, String> tags, Buckets buckets,
      Duration bucketLowerBound, Duration bucketUpperBound, long samples) {}
}
