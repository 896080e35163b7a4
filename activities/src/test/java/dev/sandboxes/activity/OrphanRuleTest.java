package dev.sandboxes.activity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandboxes.model.SandboxOwner;
import dev.sandboxes.runtime.OwnedObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link OrphanRule}, row by row as its javadoc table states it. */
class OrphanRuleTest {
  static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");
  static final Duration GRACE = Duration.ofSeconds(30);
  static final SandboxOwner OWNER = new SandboxOwner("sandbox/s1", "run-1");
  static final Instant OLD = NOW.minus(Duration.ofHours(2));

  static OwnedObject object(SandboxOwner owner, Instant createdAt) {
    return new OwnedObject(OwnedObject.SANDBOX_POD, "s1", owner, createdAt, List.of());
  }

  static Stream<Arguments> rows() {
    return Stream.of(
        Arguments.of("no owner recorded", object(new SandboxOwner(null, null), OLD),
            new OwnerStatus("TERMINATED", "run-1", OLD), null),
        Arguments.of("younger than the grace", object(OWNER, NOW.minusSeconds(10)),
            new OwnerStatus("TERMINATED", "run-1", OLD), null),
        Arguments.of("owner open, same first run", object(OWNER, OLD),
            new OwnerStatus("RUNNING", "run-1", null), null),
        Arguments.of("owner open, first run not told", object(OWNER, OLD),
            new OwnerStatus("RUNNING", "", null), null),
        Arguments.of("owner open, another first run", object(OWNER, OLD),
            new OwnerStatus("RUNNING", "run-2", null), "is now a later workflow (first run run-2)"),
        Arguments.of("owner closed within the grace", object(OWNER, OLD),
            new OwnerStatus("TERMINATED", "run-1", NOW.minusSeconds(5)), null),
        Arguments.of("owner terminated past the grace", object(OWNER, OLD),
            new OwnerStatus("TERMINATED", "run-1", NOW.minusSeconds(31)), "is closed (terminated at"),
        Arguments.of("owner completed past the grace", object(OWNER, OLD),
            new OwnerStatus("COMPLETED", "run-1", NOW.minusSeconds(60)), "is closed (completed at"),
        Arguments.of("owner gone, object older than an hour", object(OWNER, OLD),
            OwnerStatus.MISSING, "no longer exists"),
        Arguments.of("owner gone, object younger than an hour", object(OWNER, NOW.minus(Duration.ofMinutes(50))),
            OwnerStatus.MISSING, null),
        Arguments.of("owner gone, age unknown", object(OWNER, null), OwnerStatus.MISSING, null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void decides(String row, OwnedObject object, OwnerStatus owner, String orphanBecause) {
    Optional<String> why = OrphanRule.why(object, owner, NOW, GRACE);
    if (orphanBecause == null) {
      assertThat(why).as(row).isEmpty();
    } else {
      assertThat(why).as(row).hasValueSatisfying(w -> assertThat(w).contains(orphanBecause));
    }
  }
}
