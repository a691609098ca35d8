package io.sidetrack.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Directory helpers of the embedded runtime and {@code sidetrack up}. */
public final class Directories {
  private Directories() {}

  /** Deletes {@code dir} and everything below it; what cannot be deleted is left. */
  public static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort: a temporary directory left behind is harmless
    }
  }
}
