package dev.geneva.k8s.admin;

import java.util.List;

/**
 * What {@link RayClusterManifests#apply} did to each object, in the order it applied them.
 *
 * @param objects one entry per object
 */
public record ApplyResult(List<Applied> objects) {

  /**
   * Copies the list.
   *
   * @param objects one entry per object
   */
  public ApplyResult {
    objects = List.copyOf(objects);
  }

  /** What happened to one object. */
  public enum Outcome {
    /** It did not exist and was created. */
    CREATED,
    /** It existed and was changed to match (rules, subjects, annotations or labels). */
    UPDATED,
    /** It existed and already matched. */
    UNCHANGED
  }

  /**
   * One object and its outcome.
   *
   * @param kind the object's kind, e.g. {@code ClusterRole}
   * @param namespace its namespace, or null for a cluster-scoped object
   * @param name its name
   * @param outcome what happened
   */
  public record Applied(String kind, String namespace, String name, Outcome outcome) {
    @Override
    public String toString() {
      return kind + " " + (namespace == null ? "" : namespace + "/") + name + ": " + outcome;
    }
  }

  /**
   * Whether every object already matched.
   *
   * @return true when nothing was created or updated
   */
  public boolean unchanged() {
    return objects.stream().allMatch(a -> a.outcome() == Outcome.UNCHANGED);
  }
}
