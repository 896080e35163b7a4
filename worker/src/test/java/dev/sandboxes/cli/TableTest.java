package dev.sandboxes.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** Tables size their columns to their content, so long names never run into the next column. */
class TableTest {
  private static String print(Table table) {
    StringWriter text = new StringWriter();
    try (PrintWriter out = new PrintWriter(text)) {
      table.print(out);
    }
    return text.toString();
  }

  @Test
  void aMaximalNameKeepsEveryColumnAligned() {
    String longest = "n".repeat(63);
    String printed = print(new Table("NAME", "PHASE", "EXIT")
        .row(longest, "running", null)
        .row("web", "succeeded", 0));

    assertThat(printed.lines()).containsExactly(
        "NAME" + " ".repeat(59) + "   PHASE       EXIT",
        longest + "   running     -",
        "web" + " ".repeat(60) + "   succeeded   0");
  }

  @Test
  void aRowMustHaveOneCellPerColumn() {
    assertThatThrownBy(() -> new Table("A", "B").row("only one"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 cells in a table of 2");
  }
}
