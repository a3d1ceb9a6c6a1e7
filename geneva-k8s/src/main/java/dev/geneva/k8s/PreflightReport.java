package dev.geneva.k8s;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * What the SDK found before creating a RayCluster, item by item: the namespace, each service
 * account, each API verb it will use (by {@code SelfSubjectAccessReview}, like {@code kubectl auth
 * can-i}) and the KubeRay CRD. {@link RayCluster#start()} fails with every failing item and its
 * fix; {@link RayCluster#preflight()} returns the report without creating anything.
 */
public final class PreflightReport {

  /** The outcome of one check. */
  public enum Status {
    /** Present or allowed. */
    OK,
    /** Does not exist. */
    MISSING,
    /** The caller is not allowed to do this. */
    FORBIDDEN,
    /** Could not be checked (for example, reading it is forbidden); not fatal on its own. */
    UNVERIFIED,
    /** The check itself failed (the API server answered with an unexpected error). */
    ERROR;

    /**
     * Whether this outcome stops {@link RayCluster#start()}.
     *
     * @return true for MISSING, FORBIDDEN and ERROR
     */
    public boolean fatal() {
      return this == MISSING || this == FORBIDDEN || this == ERROR;
    }
  }

  /**
   * One checked prerequisite.
   *
   * @param check what was checked, e.g. {@code "service account geneva-ray-runner"}
   * @param status the outcome
   * @param detail what was found
   * @param fix how to fix it; empty when the item is OK
   */
  public record Item(String check, Status status, String detail, String fix) {
    /**
     * Validates the components.
     *
     * @param check what was checked
     * @param status the outcome
     * @param detail what was found
     * @param fix how to fix it
     */
    public Item {
      Objects.requireNonNull(check, "check");
      Objects.requireNonNull(status, "status");
      detail = detail == null ? "" : detail;
      fix = fix == null ? "" : fix;
    }

    @Override
    public String toString() {
      return status
          + " "
          + check
          + (detail.isEmpty() ? "" : ": " + detail)
          + (fix.isEmpty() ? "" : " -> " + fix);
    }
  }

  private final String namespace;
  private final List<Item> items;

  /**
   * Creates a report.
   *
   * @param namespace the namespace checked
   * @param items the items, in the order checked
   */
  public PreflightReport(String namespace, List<Item> items) {
    this.namespace = Objects.requireNonNull(namespace, "namespace");
    this.items = List.copyOf(items);
  }

  /**
   * The namespace checked.
   *
   * @return the namespace
   */
  public String namespace() {
    return namespace;
  }

  /**
   * Every item, in the order checked.
   *
   * @return the items
   */
  public List<Item> items() {
    return items;
  }

  /**
   * The items that stop a start.
   *
   * @return the fatal items
   */
  public List<Item> failures() {
    return items.stream().filter(i -> i.status().fatal()).toList();
  }

  /**
   * Whether nothing fatal was found.
   *
   * @return true when a start may proceed
   */
  public boolean ok() {
    return failures().isEmpty();
  }

  /**
   * A message listing every failing item and its fix.
   *
   * @return the message
   */
  public String failureMessage() {
    List<Item> failures = failures();
    if (failures.isEmpty()) {
      return "Preflight in namespace " + namespace + " passed";
    }
    return "Preflight in namespace "
        + namespace
        + " failed ("
        + failures.size()
        + " of "
        + items.size()
        + " checks); nothing was created:\n"
        + failures.stream()
            .map(i -> "  - " + i.check() + ": " + i.detail() + "\n    fix: " + i.fix())
            .collect(Collectors.joining("\n"));
  }

  @Override
  public String toString() {
    return "PreflightReport{namespace="
        + namespace
        + ",\n"
        + items.stream().map(i -> "  " + i).collect(Collectors.joining("\n"))
        + "\n}";
  }
}
