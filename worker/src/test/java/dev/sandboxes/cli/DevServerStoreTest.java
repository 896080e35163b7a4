package dev.sandboxes.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class DevServerStoreTest {
  @Test
  void theServerKeepsItsStateInAFileOfAFreshDirectoryThatCloseRemoves() throws Exception {
    DevServerStore a = DevServerStore.create();
    DevServerStore b = DevServerStore.create();
    try {
      assertThat(a.directory()).isDirectory().isNotEqualTo(b.directory());
      List<String> flags = a.flags();
      Path db = Path.of(flags.get(flags.indexOf("--db-filename") + 1));
      assertThat(db.getParent()).isEqualTo(a.directory());
      assertThat(flags).containsSequence("--sqlite-pragma", "journal_mode=wal")
          .containsSequence("--sqlite-pragma", "synchronous=off");
      // what the server leaves: the database, its write-ahead log and shared-memory index
      for (String suffix : List.of("", "-wal", "-shm")) {
        Files.writeString(Path.of(db + suffix), "x");
      }
    } finally {
      a.close();
      b.close();
    }
    assertThat(a.directory()).doesNotExist();
    assertThat(b.directory()).doesNotExist();
    a.close(); // twice: nothing to remove, no error
  }
}
