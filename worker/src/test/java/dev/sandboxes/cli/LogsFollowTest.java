package dev.sandboxes.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What `logs --follow` prints of the output written while it read the tail. */
class LogsFollowTest {
  private static String afterTail(List<String> tail, String written) {
    return written.substring(LogsCommand.shownInTail(tail, written));
  }

  @Test
  void aLineTheTailShowedIsNotPrintedAgain() {
    assertThat(afterTail(List.of("tick 1"), "tick 1\n")).isEmpty();
    assertThat(afterTail(List.of("a", "b", "c"), "b\nc\nd\n")).isEqualTo("d\n");
  }

  @Test
  void linesTheLogHadNotTakenInYetArePrinted() {
    assertThat(afterTail(List.of("tick 1"), "tick 2\n")).isEqualTo("tick 2\n");
    assertThat(afterTail(List.of(), "first\n")).isEqualTo("first\n");
    assertThat(afterTail(List.of("a", "b"), "c\nd\n")).isEqualTo("c\nd\n");
  }

  @Test
  void aShortTailAlignsWithTheLastLineItShows() {
    // --tail 1 showed only the last of three lines written meanwhile
    assertThat(afterTail(List.of("c"), "a\nb\nc\nd\n")).isEqualTo("d\n");
  }

  @Test
  void anUnfinishedLineIsNeverTakenAsShown() {
    assertThat(afterTail(List.of("par"), "partial")).isEqualTo("partial");
    assertThat(afterTail(List.of("a"), "a\npartial")).isEqualTo("partial");
  }

  @Test
  void aRepeatedLineShowsTwiceRatherThanBeLost() {
    // the tail's "x" may be the first or the second written meanwhile: the earliest match is taken
    assertThat(afterTail(List.of("w", "x"), "x\ny\nx\n")).isEqualTo("y\nx\n");
    assertThat(afterTail(List.of("a", "b"), "a\nb\n")).isEmpty();
  }
}
