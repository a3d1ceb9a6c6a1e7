package dev.geneva.k8s;

import java.time.Instant;
import java.util.Optional;

/**
 * What a detached backfill's RayJob reports at one moment.
 *
 * @param name the RayJob's name
 * @param namespace its namespace
 * @param state where the backfill is, see {@link DetachedBackfillState}
 * @param jobStatus the RayJob's {@code status.jobStatus} (the Ray job's), "" before there is one
 * @param jobDeploymentStatus its {@code status.jobDeploymentStatus} (KubeRay's), "" before there is
 *     one
 * @param reason its {@code status.reason} (why KubeRay failed it, e.g. {@code DeadlineExceeded}),
 *     "" when none
 * @param message its {@code status.message}, "" when none
 * @param rayClusterName the RayCluster KubeRay created for it, "" before there is one
 * @param table the table URI it backfills (from its annotations), "" when unknown
 * @param column the column it backfills (from its annotations), "" when unknown
 * @param created when the RayJob was created, if known
 * @param ended when the RayJob ended ({@code status.endTime}), if it did
 */
public record DetachedBackfillStatus(
    String name,
    String namespace,
    DetachedBackfillState state,
    String jobStatus,
    String jobDeploymentStatus,
    String reason,
    String message,
    String rayClusterName,
    String table,
    String column,
    Optional<Instant> created,
    Optional<Instant> ended) {
  /**
   * Whether the backfill's state is final.
   *
   * @return {@code state().isDone()}
   */
  public boolean isDone() {
    return state.isDone();
  }

  /**
   * The state and what KubeRay says about it, in one line.
   *
   * @return e.g. "FAILED (jobDeploymentStatus Failed, reason DeadlineExceeded)"
   */
  public String describe() {
    StringBuilder b = new StringBuilder(state.name());
    StringBuilder detail = new StringBuilder();
    append(detail, "jobStatus", jobStatus);
    append(detail, "jobDeploymentStatus", jobDeploymentStatus);
    append(detail, "reason", reason);
    append(detail, "message", message);
    if (detail.length() > 0) {
      b.append(" (").append(detail).append(')');
    }
    return b.toString();
  }

  private static void append(StringBuilder b, String key, String value) {
    if (value != null && !value.isEmpty()) {
      if (b.length() > 0) {
        b.append(", ");
      }
      b.append(key).append(' ').append(value);
    }
  }
}
