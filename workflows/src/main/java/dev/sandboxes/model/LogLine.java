package dev.sandboxes.model;

import java.time.Instant;

/** One line of a sandbox's output (stdout and stderr interleaved) with the time it was recorded. */
public record LogLine(Instant timestamp, String text) {}
