package dev.sandboxes.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The one trimming rule of log chunks: the newest lines that fit a count and a size. */
class LogChunkTest {
  private static LogChunk lines(String... texts) {
    return new LogChunk(IntStream.range(0, texts.length)
        .mapToObj(i -> new LogLine(Instant.ofEpochSecond(i), texts[i])).toList(), false);
  }

  private static List<String> texts(LogChunk chunk) {
    return chunk.lines().stream().map(LogLine::text).toList();
  }

  @Test
  void keepsEverythingThatFitsAndSaysNothingWasCut() {
    LogChunk all = lines("a", "bb", "ccc");
    assertThat(all.newest(3, 6)).isEqualTo(all);
    assertThat(all.newest(6).truncated()).isFalse();
  }

  @Test
  void keepsTheNewestLinesUpToTheCount() {
    LogChunk kept = lines("a", "bb", "ccc").newest(2, 100);
    assertThat(texts(kept)).containsExactly("bb", "ccc");
    assertThat(kept.truncated()).isTrue();
  }

  @Test
  void stopsAtTheFirstLineThatDoesNotFitTheSize() {
    LogChunk kept = lines("a", "bbbb", "cc").newest(10, 5);
    assertThat(texts(kept)).containsExactly("cc");
    assertThat(kept.truncated()).isTrue();
  }

  @Test
  void aChunkAlreadyCutStaysCut() {
    LogChunk cut = new LogChunk(lines("a").lines(), true);
    assertThat(cut.newest(5, 5).truncated()).isTrue();
    assertThat(cut.newest(0, 5).lines()).isEmpty();
  }
}
