package dev.sandboxes.cli;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * UTF-8 text of one output stream that arrives in pieces: a character split between two pieces
 * is held back until its last byte comes, and malformed bytes decode as U+FFFD, as the result's
 * text does.
 */
final class StreamDecoder {
  private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
      .onMalformedInput(CodingErrorAction.REPLACE)
      .onUnmappableCharacter(CodingErrorAction.REPLACE);
  private ByteBuffer pending = ByteBuffer.allocate(0);

  /** The text that {@code bytes} completes. */
  String feed(byte[] bytes) {
    ByteBuffer in = ByteBuffer.allocate(pending.remaining() + bytes.length);
    in.put(pending).put(bytes).flip();
    CharBuffer out = CharBuffer.allocate(in.remaining() + 1);
    decoder.decode(in, out, false);
    pending = in.slice();
    return out.flip().toString();
  }

  /** What is left at the end of the stream (an incomplete character decodes as U+FFFD). */
  String finish() {
    CharBuffer out = CharBuffer.allocate(pending.remaining() + 2);
    decoder.decode(pending, out, true);
    decoder.flush(out);
    pending = ByteBuffer.allocate(0);
    return out.flip().toString();
  }
}
