package dev.sandboxes.cli;

import dev.sandboxes.model.OutputPiece;
import java.io.PrintWriter;
import java.util.function.Consumer;

/** Prints a command's output pieces as they come: stdout to out, stderr to err, each decoded on its own. */
final class PiecePrinter implements Consumer<OutputPiece> {
  private final PrintWriter out;
  private final PrintWriter err;
  private final StreamDecoder outText = new StreamDecoder();
  private final StreamDecoder errText = new StreamDecoder();

  PiecePrinter(PrintWriter out, PrintWriter err) {
    this.out = out;
    this.err = err;
  }

  @Override
  public void accept(OutputPiece piece) {
    if (piece.stream() == OutputPiece.Stream.STDOUT) {
      out.print(outText.feed(piece.data()));
      out.flush();
    } else {
      err.print(errText.feed(piece.data()));
      err.flush();
    }
  }

  /** Prints what is left at the end of both streams. */
  void finish() {
    out.print(outText.finish());
    out.flush();
    err.print(errText.finish());
    err.flush();
  }
}
