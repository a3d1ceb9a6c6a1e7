package dev.geneva.cli;

/** The exit codes of every {@code geneva} command, stable for scripts. */
public final class ExitCodes {
  /** Success. */
  public static final int OK = 0;

  /** A check failed (doctor found a problem, a cluster or job was not found). */
  public static final int CHECK_FAILED = 1;

  /** Bad usage or input: an unknown option, a missing argument, a malformed value. */
  public static final int USAGE = 2;

  /** An unexpected error (the API server or dashboard failed, a bug). */
  public static final int ERROR = 3;

  /** A followed job was stopped or deleted before it ended ({@code geneva jobs detached}). */
  public static final int STOPPED = 4;

  /** A followed job had not ended when {@code --timeout} passed ({@code geneva jobs detached}). */
  public static final int TIMED_OUT = 5;

  private ExitCodes() {}
}
