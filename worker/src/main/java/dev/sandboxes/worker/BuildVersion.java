package dev.sandboxes.worker;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * This build's version, as Maven wrote it into {@code META-INF/build-info.properties}
 * ({@code spring-boot-maven-plugin:build-info}, in target/classes and in the jar). The default
 * Worker Versioning build ID.
 */
public final class BuildVersion {
  static final String RESOURCE = "META-INF/build-info.properties";
  private static final String VERSION = current(BuildVersion.class.getClassLoader());

  private BuildVersion() {}

  /** The project version of this build, or {@code null} when the classes carry no build info. */
  public static String current() {
    return VERSION;
  }

  static String current(ClassLoader loader) {
    try (InputStream in = loader.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        return null;
      }
      Properties build = new Properties();
      build.load(in);
      String version = build.getProperty("build.version");
      return version == null || version.isBlank() ? null : version.strip();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
  }
}
