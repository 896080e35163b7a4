package dev.sandboxes.runtime.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sandboxes.model.ExecOutputChunk;
import dev.sandboxes.model.OutputPiece;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How an exec's output is kept and travels, by the agent and by the local runtime alike: frames
 * of a kind byte (1 stdout, 2 stderr, 3 exit), a big-endian 32-bit length and the bytes; the exit
 * frame, whose payload is an {@link AgentExit} as JSON, is last. Offsets count bytes of that
 * framed stream, so a reader that lost its connection continues from the end of the last whole
 * frame it read and misses nothing.
 */
public final class OutputFrames {
  public static final byte STDOUT = 1;
  public static final byte STDERR = 2;
  public static final byte EXIT = 3;
  /** No output frame is bigger; anything else is a broken stream. */
  public static final int MAX_FRAME = 32 * 1024;
  private static final int HEADER = 5;
  /**
   * How long a read that waited for output waits again once some came, for the rest of its
   * burst: a chatty command is then read in pieces of a tenth of a second, not one read per write
   * (each read is a short workflow with its own history).
   */
  public static final Duration READ_LINGER = Duration.ofMillis(100);
  /** The most output one read returns: in base64, well under Temporal's 512 KB payload warning. */
  public static final int READ_MAX_BYTES = 256 * 1024;
  private static final ObjectMapper JSON = new ObjectMapper();

  private OutputFrames() {}

  /** Writes {@code length} bytes of one stream as frames of at most {@link #MAX_FRAME}; returns the bytes written. */
  public static long write(OutputStream out, byte kind, byte[] bytes, int offset, int length) throws IOException {
    DataOutputStream data = new DataOutputStream(out);
    long written = 0;
    for (int at = offset; at < offset + length; at += MAX_FRAME) {
      int size = Math.min(MAX_FRAME, offset + length - at);
      data.writeByte(kind);
      data.writeInt(size);
      data.write(bytes, at, size);
      written += HEADER + size;
    }
    data.flush();
    return written;
  }

  /** Writes the exit frame; returns the bytes written. */
  public static long writeExit(OutputStream out, AgentExit exit) throws IOException {
    byte[] payload = JSON.writeValueAsBytes(exit);
    DataOutputStream data = new DataOutputStream(out);
    data.writeByte(EXIT);
    data.writeInt(payload.length);
    data.write(payload);
    data.flush();
    return HEADER + payload.length;
  }

  /**
   * The chunk that {@code frames}, read from offset {@code from}, make: their pieces in order and
   * the offset after the last whole frame (a frame cut off at the end is read again next time).
   *
   * @throws IOException when the bytes are not frames
   */
  public static ExecOutputChunk chunk(byte[] frames, int length, long from) throws IOException {
    List<OutputPiece> pieces = new ArrayList<>();
    Reader reader = new Reader(new DataInputStream(new ByteArrayInputStream(frames, 0, length)));
    AgentExit exit = null;
    try {
      while (exit == null && !reader.ended()) {
        exit = reader.next(new OutputSink() {
          @Override
          public void stdout(byte[] bytes, int off, int len) {
            pieces.add(new OutputPiece(OutputPiece.Stream.STDOUT, Arrays.copyOfRange(bytes, off, off + len)));
          }

          @Override
          public void stderr(byte[] bytes, int off, int len) {
            pieces.add(new OutputPiece(OutputPiece.Stream.STDERR, Arrays.copyOfRange(bytes, off, off + len)));
          }
        });
      }
    } catch (Reader.Torn cut) {
      // the last frame is incomplete: what came before it is the chunk
    }
    return new ExecOutputChunk(pieces, from + reader.consumed(), exit != null,
        exit == null ? null : exit.exitCode(), exit != null && exit.timedOut());
  }

  /** Reads frames, counting the bytes of whole frames it handed on. */
  public static final class Reader {
    /** The stream ended inside a frame; the frame is read again after a reconnect. */
    public static final class Torn extends IOException {
      Torn(Throwable cause) {
        super("the output stream ended inside a frame", cause);
      }
    }

    private final DataInputStream in;
    private final byte[] buffer = new byte[MAX_FRAME];
    private long consumed;
    private boolean ended;

    public Reader(DataInputStream in) {
      this.in = in;
    }

    /** Bytes of the whole frames read so far. */
    public long consumed() {
      return consumed;
    }

    /** True once the stream ended cleanly between frames. */
    public boolean ended() {
      return ended;
    }

    /**
     * Hands the next frame to {@code sink}; returns the exit at the exit frame, null otherwise
     * ({@link #ended} says whether the stream ended cleanly between frames).
     */
    public AgentExit next(OutputSink sink) throws IOException {
      int kind = in.read();
      if (kind < 0) {
        ended = true;
        return null;
      }
      int length;
      try {
        length = in.readInt();
        if (length < 0 || length > MAX_FRAME) {
          throw new IOException("a frame of kind " + kind + " claims " + length + " bytes");
        }
        in.readFully(buffer, 0, length);
      } catch (EOFException e) {
        throw new Torn(e);
      }
      consumed += HEADER + length;
      switch (kind) {
        case STDOUT -> sink.stdout(buffer, 0, length);
        case STDERR -> sink.stderr(buffer, 0, length);
        case EXIT -> {
          return JSON.readValue(buffer, 0, length, AgentExit.class);
        }
        default -> throw new IOException("unknown frame kind " + kind);
      }
      return null;
    }
  }
}
