package dev.geneva;

import java.util.Map;

/**
 * Supplies Lance storage options that change over time, such as short-lived cloud credentials.
 * Geneva asks for them each time it opens a table, reads or writes a file, commits, or hands a
 * backfill task to a worker, so a backfill that outlives one set of credentials keeps working.
 *
 * <pre>{@code
 * ConnectOptions options = ConnectOptions.builder()
 *     .storageOptionsProvider(S3StorageOptions.builder()
 *         .credentialsProvider(eksAuth.credentialsProvider()).region("us-east-1").build())
 *     .build();
 * }</pre>
 *
 * <p>Implementations are called from several threads and often, so cache and return quickly (the
 * AWS and Google credential providers do). A task keeps the options it was handed for its whole
 * run: credentials must stay valid at least as long as one task takes. Values may be secrets:
 * implementations should keep them out of {@code toString()}.
 */
@FunctionalInterface
public interface StorageOptionsProvider {
  /**
   * Returns the options to use now; they are layered over {@link ConnectOptions#storageOptions()}.
   *
   * @return the options, never null
   * @throws GenevaException when they cannot be produced; the message should say how to fix it
   */
  Map<String, String> resolveStorageOptions();
}
