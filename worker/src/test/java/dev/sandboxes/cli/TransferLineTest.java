package dev.sandboxes.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The line of a long volume read: bytes of total, rate, and the time left at that rate. */
class TransferLineTest {
  @Test
  void aCopyUnderWayShowsBytesOfTotalItsRateAndTheTimeLeft() {
    assertThat(VolumeCommand.TransferLine.render("data:/big", 12L << 20, 40L << 20, Duration.ofSeconds(4)))
        .isEqualTo("data:/big: 12.0 MiB / 40.0 MiB, 3.0 MiB/s, ETA 10s");
  }

  @Test
  void aFinishedCopyHasNoEtaAndBeforeTheFirstChunkThereIsNoLine() {
    assertThat(VolumeCommand.TransferLine.render("v:/f", 1536, 1536, Duration.ofSeconds(1)))
        .isEqualTo("v:/f: 1.5 KiB / 1.5 KiB, 1.5 KiB/s");
    assertThat(VolumeCommand.TransferLine.render("v:/f", 0, -1, Duration.ofSeconds(1))).isNull();
    assertThat(VolumeCommand.TransferLine.size(512)).isEqualTo("512 B");
    assertThat(VolumeCommand.TransferLine.size(3L << 30)).isEqualTo("3.0 GiB");
  }
}
