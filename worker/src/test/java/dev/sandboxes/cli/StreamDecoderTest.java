package dev.sandboxes.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class StreamDecoderTest {
  @Test
  void aCharacterSplitBetweenPiecesIsPrintedWhole() {
    byte[] text = "grüß 😀\n".getBytes(StandardCharsets.UTF_8);
    StreamDecoder decoder = new StreamDecoder();
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < text.length; i++) {
      out.append(decoder.feed(Arrays.copyOfRange(text, i, i + 1)));
    }
    out.append(decoder.finish());
    assertThat(out.toString()).isEqualTo("grüß 😀\n");
  }

  @Test
  void anIncompleteCharacterAtTheEndDecodesAsAReplacement() {
    StreamDecoder decoder = new StreamDecoder();
    assertThat(decoder.feed(new byte[] {'a', (byte) 0xC3})).isEqualTo("a");
    assertThat(decoder.finish()).isEqualTo("\uFFFD");
  }
}
