package dev.geneva.cloud.gcp;

import dev.geneva.GenevaException;

/**
 * A {@link GcsWriteCheck} failed: the message names the bucket, the principal, the missing IAM role
 * and the setup step to fix; {@link #report()} has the details.
 */
public class GcsAccessException extends GenevaException {
  private static final long serialVersionUID = 1L;

  private final transient GcsCheckReport report;

  /**
   * Creates the exception.
   *
   * @param report the failed report
   */
  public GcsAccessException(GcsCheckReport report) {
    super(report.message());
    this.report = report;
  }

  /**
   * The failed check.
   *
   * @return the report
   */
  public GcsCheckReport report() {
    return report;
  }
}
