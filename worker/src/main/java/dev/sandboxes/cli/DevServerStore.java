package dev.sandboxes.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where a {@code temporal server start-dev} started by this project keeps its state: an SQLite
 * file in a directory of its own, new or emptied, removed by {@link #close()}.
 *
 * <p>Not the dev server's in-memory default. In memory, its one SQLite connection is the whole
 * database: with the driver the temporal CLI v1.5.1 links, a cancelled call can leave that
 * connection interrupted, and every later query answers {@code interrupted (9)} until a restart
 * (seen once in an end-to-end run: the server failed every call for its last 16 minutes); with the
 * driver that closes that race, the pool drops an interrupted connection, which deletes an
 * in-memory database. A file survives a dropped connection. Write-ahead logging without syncs
 * keeps it about as fast as memory: the state is thrown away with the server anyway.
 */
record DevServerStore(Path directory) implements AutoCloseable {
  static DevServerStore create() {
    try {
      return new DevServerStore(Files.createTempDirectory("sandbox-temporal-"));
    } catch (IOException e) {
      throw new CliException(ExitCodes.OPERATIONAL,
          "could not make a directory for the Temporal dev server's database: " + e.getMessage());
    }
  }

  /** A store in {@code directory}, emptied first: a server that starts there starts afresh. */
  static DevServerStore in(Path directory) {
    DevServerStore store = new DevServerStore(directory);
    store.close();
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new CliException(ExitCodes.OPERATIONAL,
          "could not make " + directory + " for the Temporal dev server's database: " + e.getMessage());
    }
    return store;
  }

  /** The {@code start-dev} flags that put the server's state in this store. */
  List<String> flags() {
    return List.of("--db-filename", directory.resolve("temporal.db").toString(),
        "--sqlite-pragma", "journal_mode=wal", "--sqlite-pragma", "synchronous=off");
  }

  /** Removes the database and its directory (call it once the server has stopped). */
  @Override
  public void close() {
    try (Stream<Path> files = Files.list(directory)) {
      for (Path file : files.toList()) {
        Files.deleteIfExists(file);
      }
      Files.deleteIfExists(directory);
    } catch (IOException | UncheckedIOException e) {
      // a leftover in the temporary directory; nothing reads it again
    }
  }
}
