package dev.sandboxes.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A plain-text table as kubectl prints one: each column as wide as its widest cell, columns three
 * spaces apart, the last one unpadded. Widths come from the content, so a 63-character sandbox
 * name never runs into the next column.
 */
final class Table {
  private static final String GAP = "   ";

  private final List<String[]> rows = new ArrayList<>();

  /** A table with these column headings. */
  Table(String... headings) {
    rows.add(headings);
  }

  /** Adds a row; a null cell prints as {@code -}. */
  Table row(Object... cells) {
    if (cells.length != rows.get(0).length) {
      throw new IllegalArgumentException("a row of " + cells.length + " cells in a table of "
          + rows.get(0).length + " columns");
    }
    rows.add(Arrays.stream(cells).map(c -> c == null ? "-" : String.valueOf(c)).toArray(String[]::new));
    return this;
  }

  void print(PrintWriter out) {
    int columns = rows.get(0).length;
    int[] widths = new int[columns];
    for (String[] row : rows) {
      for (int c = 0; c < columns; c++) {
        widths[c] = Math.max(widths[c], row[c].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int c = 0; c < columns; c++) {
        line.append(row[c]);
        if (c < columns - 1) {
          line.append(" ".repeat(widths[c] - row[c].length())).append(GAP);
        }
      }
      out.println(line.toString().stripTrailing());
    }
  }
}
