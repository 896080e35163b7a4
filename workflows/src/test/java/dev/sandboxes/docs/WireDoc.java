package dev.sandboxes.docs;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What docs/wire-format.md says about the payload types: its JSON examples and the fields it
 * lists for each type.
 *
 * <p>How the document names the type of what it shows:
 * <ul>
 *   <li>A fenced {@code json} block is preceded by a {@code <!-- schema: Type -->} line.</li>
 *   <li>A field table is a table whose first column is headed {@code field}. Its type is named
 *       just before it: by a {@code <!-- fields: Type -->} line, by a paragraph that starts with
 *       {@code `Type`} or whose last line ends with {@code `Type`:}, or by a heading right
 *       before it that names exactly one type. A row's first cell lists the fields it
 *       describes, each in backticks; {@code `Other.field`} describes a field of another type.</li>
 *   <li>A prose field list is {@code `Type`: `field` (...), `field` (...).}: a type, a colon,
 *       and backticked field names separated by commas, what is in parentheses aside.</li>
 *   <li>Anywhere else {@code `Type.field`} refers to one field of a type.</li>
 * </ul>
 */
final class WireDoc {
  private static final Pattern SCHEMA_LABEL = Pattern.compile("^<!--\\s*schema:\\s*(\\w+)\\s*-->$");
  private static final Pattern FIELDS_LABEL = Pattern.compile("^<!--\\s*fields:\\s*(\\w+)\\s*-->$");
  private static final Pattern TICKED = Pattern.compile("`([^`]+)`");
  private static final Pattern QUALIFIED = Pattern.compile("`([A-Z]\\w*)\\.([a-z]\\w*)`(?!\\s*\\()");
  private static final Pattern PROSE_LIST =
      Pattern.compile("`([A-Z]\\w*)`\\s*:\\s*((?:`[a-z]\\w*`\\s*(?:,\\s*)?)+)(?=[.;]|$)");
  private static final Pattern FIELD_NAME = Pattern.compile("[a-z]\\w*");

  /** A JSON example: the type it is labelled with (null if unlabelled), its 1-based line. */
  record Example(int line, String type, String json) {}

  /**
   * A field the document names. {@code listing} is true where the document lists the type's
   * fields (a field table or a prose list), false for a reference elsewhere.
   */
  record Mention(int line, String type, String field, boolean listing) {}

  record Parsed(List<Example> examples, List<Mention> mentions, List<String> problems) {}

  private WireDoc() {}

  /** Reads the document; {@code types} are the type names its schemas define. */
  static Parsed parse(String markdown, Set<String> types) {
    String[] lines = markdown.split("\n", -1);
    List<Example> examples = new ArrayList<>();
    List<Mention> mentions = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    boolean[] code = new boolean[lines.length];
    boolean[] fieldRow = new boolean[lines.length];

    // fenced blocks
    for (int i = 0; i < lines.length; i++) {
      String fence = lines[i].strip();
      if (!fence.startsWith("```")) {
        continue;
      }
      String info = fence.substring(3).strip();
      int end = i + 1;
      while (end < lines.length && !lines[end].strip().startsWith("```")) {
        end++;
      }
      for (int k = i; k <= Math.min(end, lines.length - 1); k++) {
        code[k] = true;
      }
      if (info.equals("json")) {
        String label = null;
        int before = previousNonBlank(lines, i);
        if (before >= 0) {
          Matcher m = SCHEMA_LABEL.matcher(lines[before].strip());
          label = m.matches() ? m.group(1) : null;
        }
        StringBuilder json = new StringBuilder();
        for (int k = i + 1; k < end; k++) {
          json.append(lines[k]).append('\n');
        }
        examples.add(new Example(i + 1, label, json.toString()));
      }
      i = end;
    }

    // tables
    for (int i = 0; i < lines.length; i++) {
      if (code[i] || !isTableRow(lines[i])) {
        continue;
      }
      int start = i;
      while (i + 1 < lines.length && !code[i + 1] && isTableRow(lines[i + 1])) {
        i++;
      }
      List<String> header = cells(lines[start]);
      if (header.isEmpty() || !header.get(0).equals("field")) {
        continue;
      }
      String type = tableType(lines, start, types);
      if (type == null) {
        problems.add("line " + (start + 1) + ": a field table without a type: put a line"
            + " <!-- fields: Type --> before it");
        continue;
      }
      for (int row = start + 2; row <= i; row++) {
        fieldRow[row] = true;
        List<String> cells = cells(lines[row]);
        Matcher m = TICKED.matcher(cells.isEmpty() ? "" : cells.get(0));
        boolean any = false;
        while (m.find()) {
          any = true;
          String name = m.group(1);
          int dot = name.indexOf('.');
          if (dot > 0) {
            mentions.add(new Mention(row + 1, name.substring(0, dot), name.substring(dot + 1), true));
          } else {
            mentions.add(new Mention(row + 1, type, name, true));
          }
        }
        if (!any) {
          problems.add("line " + (row + 1) + ": a row of the " + type
              + " field table names no `field` in its first cell");
        }
      }
    }

    // paragraphs: prose field lists and references
    for (int i = 0; i < lines.length; i++) {
      if (code[i] || lines[i].isBlank() || isTableRow(lines[i]) || lines[i].startsWith("#")) {
        continue;
      }
      int start = i;
      StringBuilder text = new StringBuilder(lines[i]);
      while (i + 1 < lines.length && !code[i + 1] && !lines[i + 1].isBlank()
          && !isTableRow(lines[i + 1]) && !lines[i + 1].startsWith("#")) {
        text.append(' ').append(lines[++i]);
      }
      String flat = withoutParentheses(text.toString());
      Matcher list = PROSE_LIST.matcher(flat);
      while (list.find()) {
        if (!types.contains(list.group(1))) {
          continue;
        }
        Matcher field = TICKED.matcher(list.group(2));
        while (field.find()) {
          mentions.add(new Mention(start + 1, list.group(1), field.group(1), true));
        }
      }
    }
    for (int i = 0; i < lines.length; i++) {
      if (code[i]) {
        continue;
      }
      String text = fieldRow[i] ? restOfRow(lines[i]) : lines[i];
      Matcher ref = QUALIFIED.matcher(text);
      while (ref.find()) {
        if (types.contains(ref.group(1))) {
          mentions.add(new Mention(i + 1, ref.group(1), ref.group(2), false));
        }
      }
    }
    return new Parsed(examples, mentions, problems);
  }

  /**
   * The type a field table describes, named by what stands right before it, or null when that
   * does not name one.
   */
  private static String tableType(String[] lines, int table, Set<String> types) {
    int last = previousNonBlank(lines, table);
    if (last < 0) {
      return null;
    }
    String line = lines[last].strip();
    Matcher label = FIELDS_LABEL.matcher(line);
    if (label.matches()) {
      return types.contains(label.group(1)) ? label.group(1) : null;
    }
    if (line.startsWith("#")) {
      List<String> named = new ArrayList<>();
      Matcher m = TICKED.matcher(line);
      while (m.find()) {
        if (types.contains(m.group(1))) {
          named.add(m.group(1));
        }
      }
      return named.size() == 1 ? named.get(0) : null;
    }
    if (isTableRow(line) || line.startsWith("```")) {
      return null;
    }
    Matcher end = Pattern.compile("`(\\w+)`:$").matcher(line);
    if (end.find() && types.contains(end.group(1))) {
      return end.group(1);
    }
    int first = last;
    while (first > 0 && !lines[first - 1].isBlank() && !lines[first - 1].startsWith("#")
        && !isTableRow(lines[first - 1])) {
      first--;
    }
    Matcher start = Pattern.compile("^`(\\w+)`").matcher(lines[first].strip());
    return start.find() && types.contains(start.group(1)) ? start.group(1) : null;
  }

  private static int previousNonBlank(String[] lines, int i) {
    for (int k = i - 1; k >= 0; k--) {
      if (!lines[k].isBlank()) {
        return k;
      }
    }
    return -1;
  }

  private static boolean isTableRow(String line) {
    return line.strip().startsWith("|");
  }

  private static List<String> cells(String row) {
    String s = row.strip();
    if (s.startsWith("|")) {
      s = s.substring(1);
    }
    if (s.endsWith("|")) {
      s = s.substring(0, s.length() - 1);
    }
    List<String> out = new ArrayList<>();
    for (String cell : s.split("\\|", -1)) {
      out.add(cell.strip());
    }
    return out;
  }

  /** A table row without its first cell: a field table's first cell is read as a listing. */
  private static String restOfRow(String row) {
    List<String> cells = cells(row);
    return String.join(" | ", cells.subList(Math.min(1, cells.size()), cells.size()));
  }

  /** The text with what is in parentheses (nested too) left out. */
  static String withoutParentheses(String text) {
    StringBuilder out = new StringBuilder();
    int depth = 0;
    for (char ch : text.toCharArray()) {
      if (ch == '(') {
        depth++;
      } else if (ch == ')' && depth > 0) {
        depth--;
      } else if (depth == 0) {
        out.append(ch);
      }
    }
    return out.toString();
  }

  static boolean isFieldName(String name) {
    return FIELD_NAME.matcher(name).matches();
  }
}
