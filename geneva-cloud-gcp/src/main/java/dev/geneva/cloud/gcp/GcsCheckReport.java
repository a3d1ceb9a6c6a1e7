package dev.geneva.cloud.gcp;

import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of a {@link GcsWriteCheck}: which step failed (if any), the HTTP status, the IAM role
 * that is missing and a message saying how to fix it. Holds no credential.
 */
public final class GcsCheckReport {
  /** The steps of the check, in order. */
  public enum Step {
    /** Create the probe object. */
    WRITE,
    /** Read it back and compare. */
    READ,
    /** Delete it. */
    DELETE
  }

  private final String bucket;
  private final String objectName;
  private final String principal;
  private final Step failedStep;
  private final int httpStatus;
  private final String missingRole;
  private final String message;

  GcsCheckReport(
      String bucket,
      String objectName,
      String principal,
      Step failedStep,
      int httpStatus,
      String missingRole,
      String message) {
    this.bucket = bucket;
    this.objectName = objectName;
    this.principal = principal;
    this.failedStep = failedStep;
    this.httpStatus = httpStatus;
    this.missingRole = missingRole;
    this.message = message;
  }

  /**
   * Whether the identity could write, read and delete the probe object.
   *
   * @return true when every step passed
   */
  public boolean ok() {
    return failedStep == null;
  }

  /**
   * The bucket checked.
   *
   * @return the bucket name
   */
  public String bucket() {
    return bucket;
  }

  /**
   * The probe object's name, e.g. {@code db/_geneva/probe-<uuid>}.
   *
   * @return the object name
   */
  public String objectName() {
    return objectName;
  }

  /**
   * Who was checked, e.g. {@code serviceAccount:geneva@p.iam.gserviceaccount.com}, or a description
   * when the email is not known locally.
   *
   * @return the principal
   */
  public String principal() {
    return principal;
  }

  /**
   * The step that failed.
   *
   * @return the step, empty when {@link #ok()}
   */
  public Optional<Step> failedStep() {
    return Optional.ofNullable(failedStep);
  }

  /**
   * The HTTP status of the failed call.
   *
   * @return the status, 0 when none (ok, unreachable, or a content mismatch)
   */
  public int httpStatus() {
    return httpStatus;
  }

  /**
   * The IAM role the principal lacks on the bucket, when a 403 says so.
   *
   * @return e.g. {@code roles/storage.objectAdmin}
   */
  public Optional<String> missingRole() {
    return Optional.ofNullable(missingRole);
  }

  /**
   * What happened and how to fix it.
   *
   * @return the message
   */
  public String message() {
    return message;
  }

  /**
   * Throws when the check failed.
   *
   * @return this report when it passed
   * @throws GcsAccessException carrying this report
   */
  public GcsCheckReport throwIfFailed() {
    if (!ok()) {
      throw new GcsAccessException(this);
    }
    return this;
  }

  @Override
  public String toString() {
    return "GcsCheckReport{bucket="
        + bucket
        + ", object="
        + objectName
        + ", principal="
        + principal
        + (ok() ? ", ok" : ", failed=" + failedStep + ", status=" + httpStatus)
        + (missingRole == null ? "" : ", missingRole=" + missingRole)
        + "}";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof GcsCheckReport r
        && bucket.equals(r.bucket)
        && objectName.equals(r.objectName)
        && principal.equals(r.principal)
        && failedStep == r.failedStep
        && httpStatus == r.httpStatus
        && Objects.equals(missingRole, r.missingRole)
        && message.equals(r.message);
  }

  @Override
  public int hashCode() {
    return Objects.hash(bucket, objectName, failedStep, httpStatus);
  }
}
