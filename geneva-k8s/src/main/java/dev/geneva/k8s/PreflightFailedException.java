package dev.geneva.k8s;

/** Preflight found missing or forbidden prerequisites; nothing was created. */
public class PreflightFailedException extends RayClusterException {
  private static final long serialVersionUID = 1L;

  private final transient PreflightReport report;

  /**
   * Creates the exception.
   *
   * @param report the report whose failing items the message lists
   */
  public PreflightFailedException(PreflightReport report) {
    super(report.failureMessage());
    this.report = report;
  }

  /**
   * The full report, including the items that passed.
   *
   * @return the report
   */
  public PreflightReport report() {
    return report;
  }
}
